/* The pins and popups of our maps (mapviews/maps.py). Every text is set with textContent: a name is shown as
   typed, never read as HTML. One row per marker:
   [latitude, longitude, number (0: none), title, group, url, subtitle, [[label, text, link], ...]]. */
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function safeLink(link) {
    // Links come from our server (an entry's page, tel:); anything else is shown as text only.
    return /^(\/|tel:|mailto:|https?:)/.test(link) ? link : "";
  }

  function popupOf(row) {
    var box = element("div", "popup");
    box.setAttribute("data-number", row[2] || "");
    if (row[6]) { box.appendChild(element("p", "category", row[6])); }
    var name = element("p", "name");
    var title = row[2] ? row[2] + ". " + row[3] : row[3];
    if (row[5]) {
      var link = element("a", "", title);
      link.href = row[5];
      link.target = "_top";
      name.appendChild(link);
    } else {
      name.textContent = title;
    }
    box.appendChild(name);
    var list = element("dl", "lines");
    row[7].forEach(function (line) {
      list.appendChild(element("dt", "", line[0]));
      var value = element("dd");
      var href = safeLink(line[2]);
      if (href) {
        var anchor = element("a", "", line[1]);
        anchor.href = href;
        anchor.target = "_top";
        value.appendChild(anchor);
      } else {
        value.textContent = line[1];
      }
      list.appendChild(value);
    });
    if (row[7].length) { box.appendChild(list); }
    return box;
  }

  var Pin = L.DivIcon.extend({
    createIcon: function (oldIcon) {
      var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
      div.textContent = this.options.number ? String(this.options.number) : "";
      div.setAttribute("aria-label", this.options.label);
      return div;
    }
  });

  function markerOf(row, words) {
    var numbered = row[2] > 0;
    var size = numbered ? 28 : 16;
    var label = numbered ? words.pin.replace("%(number)s", row[2]).replace("%(name)s", row[3]) : row[3];
    var icon = new Pin({
      className: "pin pin-" + row[4] + (numbered ? " numbered" : ""),
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
      popupAnchor: [0, -size / 2],
      number: row[2],
      label: label,
      html: ""
    });
    var marker = L.marker([row[0], row[1]], {icon: icon, title: row[3], keyboard: true});
    marker.number = row[2];
    marker.bindPopup(function () { return popupOf(row); }, {
      minWidth: 200,
      maxWidth: 320,  // and no wider than the frame allows (map.css)
      maxHeight: Math.max(160, window.innerHeight - 100),  // scrolls inside a small frame, never cut off
      autoPanPaddingTopLeft: [56, 16],
      autoPanPaddingBottomRight: [16, 16]
    });
    return marker;
  }

  window.ChiikiMap = {
    addMarkers: function (map, rows, words) {
      L.control.zoom({zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut}).addTo(map);
      L.control.scale({imperial: false}).addTo(map);
      var cluster = L.markerClusterGroup({maxClusterRadius: 40, chunkedLoading: true});
      var byNumber = {};
      rows.forEach(function (row) {
        var marker = markerOf(row, words);
        if (row[2]) { byNumber[row[2]] = marker; }
        cluster.addLayer(marker);
      });
      cluster.addTo(map);
      // Keyboard users land in the popup they opened, and back on its pin when it closes.
      map.on("popupopen", function (event) {
        var link = event.popup.getElement().querySelector(".leaflet-popup-content a");
        if (link) { link.focus({preventScroll: true}); }
      });
      map.on("popupclose", function (event) {
        var source = event.popup._source;
        if (source && source.getElement && source.getElement()) { source.getElement().focus({preventScroll: true}); }
      });
      // The list beside the map asks for a numbered pin (mapviews/map-page.js).
      window.addEventListener("message", function (event) {
        if (event.source !== window.parent || !event.data || !event.data.showPin) { return; }
        var marker = byNumber[event.data.showPin];
        if (!marker) { return; }
        cluster.zoomToShowLayer(marker, function () {
          // Opened once the zoom has settled, so that the popup pans the map into view.
          setTimeout(function () { marker.openPopup(); }, 50);
        });
      });
      return cluster;
    }
  };
}());
