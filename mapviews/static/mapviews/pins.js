/* The pins and popups of our maps (mapviews/maps.py). Every text is set with textContent: a name is shown as
   typed, never read as HTML. The pins come from one JSON element of the frame's document (mapviews/maps.py says its shape). */
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

  // A popup shows the pin's name (a link to its entry) at once, and its facts once the page around the map
  // has sent them: `facts` undefined while asked for, null when they could not be had.
  function popupOf(pin, facts, words) {
    var box = element("div", "popup");
    box.setAttribute("data-number", pin.number || "");
    var subtitle = [facts && facts.subtitle, pin.note].filter(Boolean).join("・");
    if (subtitle) { box.appendChild(element("p", "category", subtitle)); }
    var name = element("p", "name");
    var title = pin.number ? pin.number + ". " + pin.title : pin.title;
    if (pin.key) {
      var link = element("a", "", title);
      link.href = words.entry.replace(/\/0\/$/, "/" + pin.key + "/");
      link.target = "_top";
      name.appendChild(link);
    } else {
      name.textContent = title;
    }
    box.appendChild(name);
    if (!pin.key) { return box; }
    if (facts === undefined) {
      box.appendChild(element("p", "status", words.loading));
    } else if (facts === null) {
      box.appendChild(element("p", "status", words.failed));
    } else if (facts.lines.length) {
      box.appendChild(linesOf(facts.lines));
    }
    return box;
  }

  function linesOf(lines) {
    var list = element("dl", "lines");
    lines.forEach(function (line) {
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
    return list;
  }

  var Pin = L.DivIcon.extend({
    createIcon: function (oldIcon) {
      var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
      div.textContent = this.options.number ? String(this.options.number) : "";
      div.setAttribute("aria-label", this.options.label);
      return div;
    }
  });

  // A pin as the map's data carries it: [key, latitude, longitude, group's index, title, note?].
  function pinOf(row, index, data) {
    return {
      key: row[0], latitude: row[1], longitude: row[2], group: data.groups[row[3]], title: row[4],
      note: row[5] || "", number: index < data.numbered ? index + 1 : 0
    };
  }

  function markerOf(pin, facts, words) {
    var size = pin.number ? 28 : 16;
    var label = pin.number ? words.pin.replace("%(number)s", pin.number).replace("%(name)s", pin.title) : pin.title;
    var icon = new Pin({
      className: "pin pin-" + pin.group + (pin.number ? " numbered" : ""),
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
      popupAnchor: [0, -size / 2],
      number: pin.number,
      label: label,
      html: ""
    });
    var marker = L.marker([pin.latitude, pin.longitude], {icon: icon, title: pin.title, keyboard: true});
    marker.pin = pin;
    marker.bindPopup(function () {
      // Scrolls inside a small frame, never cut off; read at each opening, as the frame may have had no
      // size yet when the pins were made.
      marker.getPopup().options.maxHeight = Math.max(160, window.innerHeight - 100);
      return popupOf(pin, facts[pin.key], words);
    }, {
      minWidth: 200,
      maxWidth: 320,  // and no wider than the frame allows (map.css)
      autoPanPaddingTopLeft: [56, 16],
      autoPanPaddingBottomRight: [16, 16]
    });
    return marker;
  }

  function focusFirstLink(popup) {
    var link = popup.getElement().querySelector(".leaflet-popup-content a");
    if (link) { link.focus({preventScroll: true}); }
  }

  window.ChiikiMap = {
    addPins: function (map, data) {
      var words = data.words;
      L.control.zoom({zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut}).addTo(map);
      L.control.scale({imperial: false}).addTo(map);
      var cluster = data.clustered ? L.markerClusterGroup({maxClusterRadius: 40, chunkedLoading: true})
                                   : L.featureGroup();
      var facts = {};  // a pin's facts by its key, once the page has sent them (null: none to be had)
      var byKey = {};
      var byNumber = {};
      var markers = data.pins.map(function (row, index) {
        var marker = markerOf(pinOf(row, index, data), facts, words);
        if (marker.pin.key) { byKey[marker.pin.key] = marker; }
        if (marker.pin.number) { byNumber[marker.pin.number] = marker; }
        return marker;
      });
      if (data.clustered) {
        cluster.addLayers(markers);
      } else {
        markers.forEach(function (marker) { cluster.addLayer(marker); });
      }
      cluster.addTo(map);
      // Keyboard users land in the popup they opened, and back on its pin when it closes.
      map.on("popupopen", function (event) {
        focusFirstLink(event.popup);
        var key = event.popup._source.pin.key;
        if (!key || key in facts) { return; }
        if (window.parent === window) {
          facts[key] = null;  // no page around the map to ask
          event.popup.update();
        } else {
          window.parent.postMessage({pinFacts: key}, "*");
        }
      });
      map.on("popupclose", function (event) {
        var source = event.popup._source;
        if (source && source.getElement && source.getElement()) { source.getElement().focus({preventScroll: true}); }
      });
      window.addEventListener("message", function (event) {
        if (event.source !== window.parent || !event.data) { return; }
        var message = event.data;
        // The facts of a pin, as the page around the map read them (map-page.js).
        if (message.factsOf && byKey[message.factsOf]) {
          var marker = byKey[message.factsOf];
          facts[message.factsOf] = message.facts || null;
          if (marker.isPopupOpen()) {
            marker.getPopup().update();
            focusFirstLink(marker.getPopup());
          }
        }
        // The list beside the map asks for a numbered pin (map-page.js).
        if (message.showPin && byNumber[message.showPin]) {
          var shown = byNumber[message.showPin];
          if (!data.clustered) { shown.openPopup(); return; }
          cluster.zoomToShowLayer(shown, function () {
            // Opened once the zoom has settled, so that the popup pans the map into view.
            setTimeout(function () { shown.openPopup(); }, 50);
          });
        }
      });
      return cluster;
    }
  };
}());
