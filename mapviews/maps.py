"""Maps are built by one pure function, from pins to a folium.Map (DESIGN §3 and §8): the public map, a
search's map, an entry's mini-map and a plan's map all come from `resource_map`.

Every script and style sheet a map loads is one of our static files (mapviews/static/mapviews/), set on each
map rather than by patching folium's classes; the only outside address a map names is its tile layer's.

A pin is five values (its resource's id, its point, its colour, its name), so that a map of 20,000 pins is a
page of about 1.5 MB built in a fraction of a second. They travel as one JSON element of the frame's
document, never through branca, which renders each element's script a second time as a Jinja2 template (a
`{{` in a name would be evaluated there). mapviews/static/mapviews/pins.js clusters them with
leaflet.markercluster and builds each pin and popup with DOM calls (textContent, never HTML), so a name is
data wherever it goes. A popup's facts are asked for when it opens: the frame asks the page around it, which
reads them from `mapviews:pin` with the person's own session (map-page.js) and hands them back.
"""

import json
import re
from html.parser import HTMLParser
from typing import NamedTuple

import folium
from branca.element import Element, MacroElement
from django.templatetags.static import static
from django.urls import reverse
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
# Closest zoom when fitting the pins: one pin alone is shown with its streets, not its doorway.
FIT_MAX_ZOOM = 15
# Pixels kept free around what is fitted, so that no pin sits on the frame's edge.
FIT_PADDING = (24, 40)
LEAFLET = "mapviews/vendor/leaflet-1.9.4/"
CLUSTER = "mapviews/vendor/leaflet.markercluster-1.5.3/"
PINS = "mapviews/pins.js"
VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')

# Inside the JSON element these characters are written as escapes: `<`, `>` and `&` so that no text closes
# the <script> it stands in, and the two line separators that older JavaScript reads as line ends.
SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
PINS_ELEMENT = "map-pins"


class Pin(NamedTuple):
    """One pin of a map; the map's first `numbered` pins carry numbers 1, 2, … as the list beside it does."""

    latitude: float
    longitude: float
    title: str
    group: str = "default"  # the pin's colour: a CSS class `pin-<group>` (css/badges.css)
    key: int = 0  # the resource's id, by which its popup's facts are asked for; 0: the title alone
    note: str = ""  # added to the popup's first line (how far from the place searched)


def script_json(value):
    """The JSON of a <script type="application/json"> element: compact, and nothing in it ends the element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_SAFE)


class PinData(Element):
    """The pins as a JSON element of the document's head, written as it is (not a Jinja2 template)."""

    def __init__(self, data):
        super().__init__()
        self.data = data

    def render(self, **kwargs):
        return f'<script type="application/json" id="{PINS_ELEMENT}">{script_json(self.data)}</script>'


class PinLayer(MacroElement):
    """The pins, clustered by leaflet.markercluster and drawn by pins.js from the PinData element."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = ChiikiMap.addPins(
                {{ this._parent.get_name() }},
                JSON.parse(document.getElementById("{{ this.element_id }}").textContent)
            );
        {% endmacro %}"""
    )

    def __init__(self, pins, *, numbered, clustered):
        super().__init__()
        self._name = "PinLayer"
        self.element_id = PINS_ELEMENT
        groups = list(dict.fromkeys(pin.group for pin in pins))
        index = {group: n for n, group in enumerate(groups)}
        self.data = {
            "groups": groups,
            "numbered": numbered,
            "clustered": clustered,
            "words": _words(),
            # [key, latitude, longitude, group's index, title] and the note when there is one
            "pins": [
                [
                    pin.key,
                    pin.latitude,
                    pin.longitude,
                    index[pin.group],
                    pin.title,
                    *([pin.note] if pin.note else []),
                ]
                for pin in pins
            ],
        }

    def render(self, **kwargs):
        super().render(**kwargs)
        self.get_root().header.add_child(PinData(self.data), name=PINS_ELEMENT)


def resource_map(pins, *, tiles, numbered=0, clustered=True, centre=None, radius_km=None, stylesheets=()):
    """A folium.Map of the pins, the first `numbered` of them numbered, clustered where they crowd unless
    `clustered` is False (a plan's few pins, each to be seen): framed on the circle searched when there is
    one (`centre`, `radius_km`), else on the pins, else on Japan. `tiles` is a key of TILE_LAYERS or
    "none"."""
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

    PinLayer(pins, numbered=numbered, clustered=clustered).add_to(folium_map)

    if centre and radius_km:
        circle = folium.Circle(centre, radius=radius_km * 1000, fill=False, weight=2, dash_array="6")
        circle.add_to(folium_map)
        south, north, west, east = bounding_box(*centre, radius_km)
        folium_map.fit_bounds([[south, west], [north, east]], padding=FIT_PADDING)
    elif pins:
        latitudes = [pin.latitude for pin in pins]
        longitudes = [pin.longitude for pin in pins]
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
    line_starts = [0] + [newline.end() for newline in re.finditer("\n", document)]
    pieces, done = [], 0
    for (line, column), tag in parser.starts:
        name_end = line_starts[line - 1] + column + 1 + len(tag)  # just past "<script" or "<style"
        pieces += [document[done:name_end], f' nonce="{nonce}"']
        done = name_end
    return "".join([*pieces, document[done:]])


def _words():
    """What the map's own controls say, in the request's language."""
    return {
        "zoomIn": _("拡大"),
        "zoomOut": _("縮小"),
        "pin": _("%(number)s番 %(name)s"),
        "loading": _("読み込み中…"),
        "failed": _("詳しい情報を読み込めませんでした。名前を押すと案内のページが開きます。"),
        # An entry's address, for the key 0 put in its place (pins.js): the popup links to it at once.
        "entry": reverse("directory:resource-detail", args=[0]),
    }
