/* The page around a map: the list's 「地図で見る」 opens that pin in the map's frame, and 「現在地の近く」
   searches around where the phone is. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var frame = document.getElementById("resource-map");
    document.querySelectorAll(".show-pin").forEach(function (button) {
      button.addEventListener("click", function () {
        frame.scrollIntoView({block: "nearest"});
        frame.focus();
        frame.contentWindow.postMessage({showPin: Number(button.getAttribute("data-number"))}, "*");
      });
    });

    var form = document.getElementById("map-form");
    var here = document.getElementById("here");
    if (!form || !here || !navigator.geolocation) { return; }
    here.hidden = false;
    here.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelectorAll("input[name=near], input[name=near_address]").forEach(function (input) {
          if (input.type === "hidden") { input.remove(); } else { input.value = ""; }
        });
        var near = document.createElement("input");
        near.type = "hidden";
        near.name = "near";
        near.value = position.coords.latitude.toFixed(5) + "," + position.coords.longitude.toFixed(5);
        form.appendChild(near);
        form.submit();
      }, function () {
        document.getElementById("here-error").hidden = false;
      }, {timeout: 10000, maximumAge: 300000});
    });
    // A place typed into the form replaces a location found earlier.
    form.addEventListener("submit", function () {
      var address = form.querySelector("input[name=near_address]");
      var near = form.querySelector("input[type=hidden][name=near]");
      if (address && address.value && near) { near.remove(); }
    });
  });
}());
