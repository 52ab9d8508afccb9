"""Maps are built by one pure function, from markers to a folium.Map (DESIGN §3 and §8).

Every script and style sheet the map loads is one of our static files (mapviews/static/mapviews/vendor/),
set on each map rather than by patching folium's classes; the only outside address a map names is its tile
layer's. Markers are drawn in the browser by leaflet.markercluster from one JSON array (folium's
FastMarkerCluster): about 1 kB a marker with its popup (the demo's 397 make a 443 kB page), and their texts
reach the page as JSON data, never as code.

branca renders each element's script a second time, as a Jinja2 template of its own (branca.element.Element
is built from the first rendering's text). So a text that reaches folium must carry no Jinja2 delimiter:
`inert_json` writes `{`, `}` (and `<`, `>`, `&`) inside strings as JSON escapes, which the browser reads back
as the same characters and Jinja2 reads as plain text.
"""

import json
from dataclasses import dataclass

import folium
from django.templatetags.static import static
from folium.plugins import FastMarkerCluster
from folium.template import Template

from directory.geo import bounding_box

# GSI's 淡色地図 and OpenStreetMap, credited in plain text (the page names no other outside address).
TILE_LAYERS = {
    "gsi": {
        "tiles": "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
        "attr": "出典: 地理院タイル",
        "name": "地理院タイル（淡色地図）",
        "max_zoom": 18,
    },
    "osm": {
        "tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attr": "© OpenStreetMap contributors",
        "name": "OpenStreetMap",
        "max_zoom": 19,
    },
}
# Without tiles Leaflet knows no zoom limit, and the cluster layer then shows nothing.
MAX_ZOOM = 18
JAPAN = (36.5, 137.5)
JAPAN_ZOOM = 5
# Closest zoom when fitting the markers: one marker alone is shown with its streets, not its doorway.
FIT_MAX_ZOOM = 15
# Pixels kept free around what is fitted, so that no pin sits on the frame's edge.
FIT_PADDING = (24, 40)
LEAFLET = "mapviews/vendor/leaflet-1.9.4/"
CLUSTER = "mapviews/vendor/leaflet.markercluster-1.5.3/"

# One marker per row [latitude, longitude, title, popup HTML, style]. `title` is set as text by Leaflet; the
# popup HTML was escaped when it was rendered (mapviews.markers); the style names the pin's CSS class
# (`pin-<style>`, coloured in css/badges.css). The pin's images are named rather than found by Leaflet from
# its style sheet, which fails once collectstatic has hashed their names.
MARKER_CALLBACK = """(function () {
    var icons = {};
    function iconOf(style) {
        icons[style] = icons[style] || L.icon(Object.assign({className: "pin-" + style}, ICON));
        return icons[style];
    }
    return function (row) {
        var options = {icon: iconOf(row[4]), title: row[2], alt: row[2]};
        var marker = L.marker(new L.LatLng(row[0], row[1]), options);
        marker.bindPopup(row[3], {minWidth: 200, maxWidth: 300, autoPanPaddingTopLeft: [48, 12]});
        return marker;
    };
})()"""
# leaflet-1.9.4's L.Icon.Default, with our URLs.
PIN = {
    "iconUrl": "images/marker-icon.png",
    "iconRetinaUrl": "images/marker-icon-2x.png",
    "shadowUrl": "images/marker-shadow.png",
    "iconSize": [25, 41],
    "iconAnchor": [12, 41],
    "popupAnchor": [1, -34],
    "tooltipAnchor": [16, -28],
    "shadowSize": [41, 41],
}


# Inside a JSON string these characters are written as escapes: `{` and `}` so that no Jinja2 delimiter
# survives into branca's second rendering, `<`, `>` and `&` so that no text closes the <script> it stands in,
# and the two line separators that older JavaScript reads as line ends.
INERT = str.maketrans(
    {
        "{": "\\u007b",
        "}": "\\u007d",
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def inert_json(value):
    """JSON for a script that branca will render again as a template: strings are escaped as INERT says."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(INERT)
    if isinstance(value, list | tuple):
        return "[" + ",".join(inert_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{inert_json(str(k))}:{inert_json(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


class InertMarkerCluster(FastMarkerCluster):
    """FastMarkerCluster whose rows are written by `inert_json` rather than Jinja2's `tojson`, which leaves
    `{{` in a text for branca's second rendering to evaluate."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}

                var data = {{ this.inert_data }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(cluster);
                }
                cluster.addTo({{ this._parent.get_name() }});
                return cluster;
            })();
        {% endmacro %}"""
    )

    def __init__(self, data, *, callback):
        super().__init__(data, callback=callback)
        self.inert_data = inert_json(self.data)
        self.data = None  # written once, by inert_json


@dataclass(frozen=True)
class Marker:
    latitude: float
    longitude: float
    title: str
    popup_html: str
    style: str = "default"


def resource_map(markers, *, tiles, centre=None, radius_km=None, stylesheets=()):
    """A folium.Map of the markers: framed on the circle searched when there is one (`centre`, `radius_km`),
    else on the markers, else on Japan. `tiles` is a key of TILE_LAYERS or "none"."""
    layer = TILE_LAYERS.get(tiles)
    folium_map = folium.Map(
        location=centre or JAPAN,
        zoom_start=JAPAN_ZOOM,
        tiles=None,
        control_scale=True,
        # folium hands max_zoom to its own tile layer only; the map itself must know it.
        maxZoom=layer["max_zoom"] if layer else MAX_ZOOM,
    )
    folium_map.default_js = [("leaflet", static(LEAFLET + "leaflet.js"))]
    folium_map.default_css = [
        ("leaflet_css", static(LEAFLET + "leaflet.css")),
        *((f"page_css_{n}", url) for n, url in enumerate(stylesheets)),
    ]
    if layer:
        folium.TileLayer(**layer).add_to(folium_map)

    cluster = InertMarkerCluster(
        [[m.latitude, m.longitude, m.title, m.popup_html, m.style] for m in markers],
        callback=_marker_callback(),
    )
    cluster.default_js = [("markerclusterjs", static(CLUSTER + "leaflet.markercluster.js"))]
    cluster.default_css = [
        ("markerclustercss", static(CLUSTER + "MarkerCluster.css")),
        ("markerclusterdefaultcss", static(CLUSTER + "MarkerCluster.Default.css")),
    ]
    cluster.add_to(folium_map)

    if centre and radius_km:
        circle = folium.Circle(centre, radius=radius_km * 1000, fill=False, weight=2, dash_array="6")
        circle.add_to(folium_map)
        south, north, west, east = bounding_box(*centre, radius_km)
        folium_map.fit_bounds([[south, west], [north, east]], padding=FIT_PADDING)
    elif markers:
        latitudes = [m.latitude for m in markers]
        longitudes = [m.longitude for m in markers]
        folium_map.fit_bounds(
            [[min(latitudes), min(longitudes)], [max(latitudes), max(longitudes)]],
            padding=FIT_PADDING,
            max_zoom=FIT_MAX_ZOOM,
        )
    return folium_map


def _marker_callback():
    pin = {key: static(LEAFLET + value) if key.endswith("Url") else value for key, value in PIN.items()}
    return MARKER_CALLBACK.replace("ICON", json.dumps(pin))
