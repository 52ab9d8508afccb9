/* The page around a map: it reads the facts of the pin opened in the map's frame (the frame, sandboxed,
   has no session of its own), the list's 「地図で見る」 opens that pin in the frame, and 「現在地の近く」
   searches around where the phone is. */
(function () {
  "use strict";

  // A frame holding a map (an iframe with data-pin-url) asks for a pin's facts by its key.
  window.addEventListener("message", function (event) {
    var frame = Array.prototype.find.call(document.querySelectorAll("iframe[data-pin-url]"), function (candidate) {
      return candidate.contentWindow === event.source;
    });
    var key = event.data && event.data.pinFacts;
    if (!frame || !Number.isInteger(key) || key < 1) { return; }
    var answer = function (facts) { event.source.postMessage({factsOf: key, facts: facts}, "*"); };
    fetch(frame.getAttribute("data-pin-url").replace(/\/0\/$/, "/" + key + "/"), {
      headers: {Accept: "application/json"}, credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(answer, function () { answer(null); });
  });

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
