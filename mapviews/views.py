from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from directory.filters import ResourceFilterSet
from directory.models import Resource
from directory.throttling import throttle
from mapviews import builder
from mapviews.markers import resource_markers

# The parameters the map's own form shows; any other search parameter in the URL still applies (it is kept
# in the form as a hidden field, listed among the conditions, and the list page shows them all).
MAP_PARAMETERS = ("q", "near_address", "category", "radius_km", "has_vacancy")
FIRST_PARAMETERS = 2  # shown above the map; the others fold away until wanted
# A map of more pins than this is a blur on a phone and a heavy page (about 1 kB a pin): it shows the first
# ones in the search's order (nearest first around a place) and says so.
MAX_MARKERS = 500


@require_GET
@throttle("map")
def resource_map(request):
    """The map of a search, for everyone: the public see public entries, in plain Japanese, on a phone."""
    resources = Resource.objects.visible_to(request.user).select_related(
        "primary_category", "municipality", "latest_vacancy"
    )
    filterset = ResourceFilterSet(request.GET, queryset=resources, request=request)
    form = filterset.form
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "first_fields": [form[name] for name in MAP_PARAMETERS[:FIRST_PARAMETERS]],
        "more_fields": [form[name] for name in MAP_PARAMETERS[FIRST_PARAMETERS:]],
        "kept": [
            (name, value) for name, values in query.lists() if name not in MAP_PARAMETERS for value in values
        ],
        "query_string": query.urlencode(),
    }
    if not filterset.is_valid():
        context["other_errors"] = [
            field for field in form if field.errors and field.name not in MAP_PARAMETERS
        ]
        return render(request, "mapviews/resource_map.html", context, status=400)
    # A row has both coordinates or neither (a constraint of Resource), as the exports rely on too.
    found = list(filterset.qs.exclude(latitude=None)[: MAX_MARKERS + 1])
    markers = resource_markers(found[:MAX_MARKERS])
    folium_map = builder.resource_map(
        markers,
        tiles=settings.MAP_TILES,
        centre=form.point,
        radius_km=form.radius_km,
        stylesheets=[static("css/badges.css"), static("mapviews/map.css")],
    )
    # Right after leaflet.js: the sandboxed frame may get its size only after the map's script has run.
    folium_map.default_js = [*folium_map.default_js, ("fit_when_sized", static("mapviews/fit-when-sized.js"))]
    context.update(
        applied=filterset.applied(),
        shown=len(markers),
        more=len(found) > MAX_MARKERS,
        map_document=with_nonce(folium_map.get_root().render(), request.csp_nonce),
    )
    response = render(request, "mapviews/resource_map.html", context)
    tiles = builder.TILE_LAYERS.get(settings.MAP_TILES)
    if tiles:
        address = urlsplit(tiles["tiles"])
        response._csp_update = {"img-src": [f"{address.scheme}://{address.netloc}"]}
    return response


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
    (every text in it escaped, as mapviews.builder and mapviews.markers make it): whatever element it holds
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
