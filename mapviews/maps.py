"""Maps are built by one pure function, from markers to a folium.Map (DESIGN §3 and §8): the public map, a
search's map, an entry's mini-map and a plan's map all come from `resource_map`.

Every script and style sheet a map loads is one of our static files (mapviews/static/mapviews/), set on each
map rather than by patching folium's classes; the only outside address a map names is its tile layer's.
Markers are drawn in the browser by leaflet.markercluster from one JSON array (as folium's
FastMarkerCluster does), and mapviews/static/mapviews/pins.js builds each pin and popup with DOM calls
(textContent, never HTML), so a name is data wherever it goes.

branca renders each element's script a second time, as a Jinja2 template of its own (branca.element.Element
is built from the first rendering's text). So a text that reaches folium must carry no Jinja2 delimiter:
`inert_json` writes `{`, `}` (and `<`, `>`, `&`) inside strings as JSON escapes, which the browser reads back
as the same characters and Jinja2 reads as plain text.
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import folium
from branca.element import MacroElement
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from folium.template import Template

from directory.geo import bounding_box

# GSI's 淡色地図 and OpenStreetMap, credited in plain text (the page names no other outside address).
TILE_LAYERS = {
    "gsi-pale": {
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
PINS = "mapviews/pins.js"
VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')

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
    """JSON for a script that branca will render again as a template: strings are escaped as INERT says.
    Without a dict inside, every `{` or `}` of the JSON stands in a string, so the whole text is escaped
    at once (a map's rows: 20,000 of them in tens of milliseconds)."""
    if not _holds_dict(value):
        return json.dumps(value, ensure_ascii=False).translate(INERT)
    if isinstance(value, dict):
        return "{" + ",".join(f"{inert_json(str(k))}:{inert_json(v)}" for k, v in value.items()) + "}"
    return "[" + ",".join(inert_json(item) for item in value) + "]"


def _holds_dict(value):
    if isinstance(value, dict):
        return True
    return isinstance(value, list | tuple) and any(_holds_dict(item) for item in value)


@dataclass(frozen=True)
class Marker:
    latitude: float
    longitude: float
    title: str
    url: str = ""
    group: str = "default"  # the pin's colour: a CSS class `pin-<group>` (css/badges.css)
    number: int | None = None  # shown on the pin; a list beside the map carries the same numbers
    subtitle: str = ""  # the popup's first line (category, town, distance)
    lines: tuple = field(default=())  # the popup's other lines: (label, text, link or "")

    def row(self):
        """The marker as pins.js reads it: [lat, lon, number, title, group, url, subtitle, lines]."""
        lines = [[label, text, link] for label, text, link in self.lines]
        return [self.latitude, self.longitude, self.number or 0, self.title, self.group, self.url,
                self.subtitle, lines]  # fmt: skip


class InertMarkers(MacroElement):
    """The markers, clustered by leaflet.markercluster and drawn by pins.js. Its rows are written by
    `inert_json` rather than Jinja2's `tojson`, which would leave `{{` in a text for branca's second
    rendering to evaluate."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = ChiikiMap.addMarkers(
                {{ this._parent.get_name() }}, {{ this.inert_rows }}, {{ this.inert_words }}
            );
        {% endmacro %}"""
    )

    def __init__(self, rows, *, words):
        super().__init__()
        self._name = "InertMarkers"
        self.inert_rows = inert_json(rows)
        self.inert_words = inert_json(words)


def resource_map(markers, *, tiles, centre=None, radius_km=None, stylesheets=()):
    """A folium.Map of the markers: framed on the circle searched when there is one (`centre`, `radius_km`),
    else on the markers, else on Japan. `tiles` is a key of TILE_LAYERS or "none"."""
    layer = TILE_LAYERS.get(tiles)
    folium_map = folium.Map(
        location=centre or JAPAN,
        zoom_start=JAPAN_ZOOM,
        tiles=None,
        zoom_control=False,  # pins.js adds one whose buttons speak the page's language, and a metric scale
        # folium hands max_zoom to its own tile layer only; the map itself must know it.
        maxZoom=layer["max_zoom"] if layer else MAX_ZOOM,
    )
    folium_map.default_js = [
        ("leaflet", static(LEAFLET + "leaflet.js")),
        # Right after leaflet.js: the sandboxed frame may get its size only after the map's script has run.
        ("fit_when_sized", static("mapviews/fit-when-sized.js")),
        ("markerclusterjs", static(CLUSTER + "leaflet.markercluster.js")),
        ("pins", static(PINS)),
    ]
    folium_map.default_css = [
        ("leaflet_css", static(LEAFLET + "leaflet.css")),
        ("markerclustercss", static(CLUSTER + "MarkerCluster.css")),
        ("markerclusterdefaultcss", static(CLUSTER + "MarkerCluster.Default.css")),
        *((f"page_css_{n}", url) for n, url in enumerate(stylesheets)),
    ]
    if layer:
        folium.TileLayer(**layer).add_to(folium_map)

    InertMarkers([marker.row() for marker in markers], words=_words()).add_to(folium_map)

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


def map_document(folium_map, *, nonce):
    """The map as the HTML document of its frame, in the request's language, with a title, zoomable by the
    person holding the phone (folium's own viewport forbids it: WCAG 1.4.4), its inline scripts and styles
    carrying the request's CSP nonce."""
    document = with_nonce(folium_map.get_root().render(), nonce)
    document = document.replace("<html>", f'<html lang="{get_language()}">', 1)
    document = document.replace("<head>", f"<head>\n<title>{escape(_('資源の地図'))}</title>", 1)
    return VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1" />', document, 1)


class _InlineElements(HTMLParser):
    """Where each <script> and <style> element of a document starts, as a browser's tokeniser finds them
    (a "<script" inside a script's text is text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.starts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.starts.append((self.getpos(), tag))


def with_nonce(document, nonce):
    """The folium document with the request's CSP nonce on its <script> and <style> elements: a srcdoc
    frame runs under its page's policy, which runs no inline code without it. The document must be ours
    (every text in it data, as resource_map makes it): whatever element it holds
    is let run."""
    parser = _InlineElements()
    parser.feed(document)
    parser.close()
    line_starts = [0] + [index + 1 for index, character in enumerate(document) if character == "\n"]
    pieces, done = [], 0
    for (line, column), tag in parser.starts:
        name_end = line_starts[line - 1] + column + 1 + len(tag)  # just past "<script" or "<style"
        pieces += [document[done:name_end], f' nonce="{nonce}"']
        done = name_end
    return "".join([*pieces, document[done:]])


def _words():
    """What the map's own controls say, in the request's language."""
    return {"zoomIn": _("拡大"), "zoomOut": _("縮小"), "pin": _("%(number)s番 %(name)s")}
