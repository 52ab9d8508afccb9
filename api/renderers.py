import json

from rest_framework.renderers import BaseRenderer, JSONRenderer

from directory import exports


class GeoJSONRenderer(JSONRenderer):
    """`?format=geojson` on the resource list: a FeatureCollection, for maps and GIS tools."""

    media_type = "application/geo+json"
    format = "geojson"


class CSVRenderer(BaseRenderer):
    """`?format=csv` on the resource list. The view answers with a streamed CSV itself, and its errors in JSON
    (ResourceViewSet.finalize_response); this renderer lets content negotiation accept the format and writes
    any other body (one entry) as rows of name and value, each cell made safe for a spreadsheet like every
    CSV of the project."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        writer = exports.csv_writer()
        lines = [exports.csv_line(writer, row) for row in _rows(data)]
        return ("\ufeff" + "".join(lines)).encode(self.charset)


def _rows(data):
    if not isinstance(data, dict):
        return [[_text(data)]]
    rows = []
    for name, value in data.items():
        values = value if isinstance(value, list) and value else [value]
        rows += [[name, _text(item)] for item in values]
    return rows


def _text(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value
