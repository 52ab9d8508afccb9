// The map's frame is sandboxed, and a browser may run a sandboxed frame in a process of its own that learns
// the frame's size only after the map's script has run. Leaflet would then fit the pins (or the circle
// searched) into a frame of no size, at its closest zoom and far from them: fit them again once the frame
// has its size. A ResizeObserver tells, where the window's resize event may never come (the frame may have
// its size before its first rendering, which then reports no change). Until then the map is marked
// aria-busy. Loaded after leaflet.js, before the map's script.
(function () {
  var fitBounds = L.Map.prototype.fitBounds;
  L.Map.prototype.fitBounds = function (bounds, options) {
    var map = this;
    var size = map.getSize();
    if (!size.x || !size.y) {
      var container = map.getContainer();
      container.setAttribute("aria-busy", "true");
      var observer = new ResizeObserver(function () {
        var size = map.invalidateSize().getSize();
        if (size.x && size.y) {
          observer.disconnect();
          fitBounds.call(map, bounds, L.extend({}, options, {animate: false}));
          container.removeAttribute("aria-busy");
        }
      });
      observer.observe(container);
    }
    return fitBounds.call(map, bounds, options);
  };
})();
