from rest_framework.renderers import BaseRenderer, JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    """`?format=geojson` on the resource list: a FeatureCollection, for maps and GIS tools."""

    media_type = "application/geo+json"
    format = "geojson"


class CSVRenderer(BaseRenderer):
    """`?format=csv` on the resource list. The view answers with a streamed CSV itself, and its errors in JSON
    (ResourceViewSet.finalize_response); this renderer only lets content negotiation accept the format."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return str(data).encode(self.charset)
