from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from directory import selectors
from directory.filters import ResourceFilterSet
from directory.models import Resource
from directory.pagination import without_page
from directory.throttling import throttle
from mapviews import maps
from mapviews.markers import resource_markers

# The parameters the map's own form shows; any other search parameter in the URL still applies (it is kept
# in the form as a hidden field, listed among the conditions, and the list page shows them all).
MAP_PARAMETERS = (
    "q", "near_address", "municipality", "category", "open_on", "free", "has_vacancy", "radius_km",
)  # fmt: skip
FIRST_PARAMETERS = 2  # shown above the map; the others fold away until wanted
# Parameters that choose an area: without any, the map shows settings.MAP_DEFAULT_REGION, never all Japan.
PLACE_PARAMETERS = ("near", "near_address", "municipality", "region", "prefecture", "serves")
# The first pins carry numbers, and the list beside the map names them in the same order.
LISTED = 50


@require_GET
@throttle("map")
def resource_map(request):
    """The map of a search, for everyone: the public see public entries, in plain Japanese, on a phone."""
    query, default_region = with_default_area(request.GET)
    filterset = ResourceFilterSet(query, queryset=Resource.objects.visible_to(request.user), request=request)
    filterset.offer_choices()
    form = filterset.form
    context = {
        "form": form,
        "first_fields": [form[name] for name in MAP_PARAMETERS[:FIRST_PARAMETERS]],
        "more_fields": [form[name] for name in MAP_PARAMETERS[FIRST_PARAMETERS:]],
        "kept": kept_parameters(request.GET),
        "query_string": without_page(query),
        "default_region": default_region,
    }
    if not filterset.is_valid():
        context["other_errors"] = [
            field for field in form if field.errors and field.name not in MAP_PARAMETERS
        ]
        return render(request, "mapviews/resource_map.html", context, status=400)
    # A row has both coordinates or neither (a constraint of Resource), as the exports rely on too.
    found = list(selectors.card_rows(filterset.qs.exclude(latitude=None))[: settings.MAP_MAX_MARKERS + 1])
    markers = resource_markers(found[: settings.MAP_MAX_MARKERS], numbered=LISTED)
    folium_map = maps.resource_map(
        markers,
        tiles=settings.MAP_TILES,
        centre=form.point,
        radius_km=form.radius_km,
        stylesheets=[static("css/badges.css"), static("mapviews/map.css")],
    )
    context.update(
        applied=[item for item in filterset.applied() if not (default_region and item[0] == "region")],
        shown=len(markers),
        more=len(found) > settings.MAP_MAX_MARKERS,
        listed=markers[:LISTED],
        groups=legend(markers),
        map_document=maps.map_document(folium_map, nonce=request.csp_nonce),
    )
    return allow_tiles(render(request, "mapviews/resource_map.html", context))


def allow_tiles(response):
    """The response's Content-Security-Policy lets its map load the tiles of MAP_TILES (and nothing else)."""
    tiles = maps.TILE_LAYERS.get(settings.MAP_TILES)
    if tiles:
        address = urlsplit(tiles["tiles"])
        response._csp_update = {"img-src": [f"{address.scheme}://{address.netloc}"]}
    return response


def kept_parameters(asked):
    """The parameters the form does not show, kept as hidden fields (not the default region: the next
    search may name another area)."""
    hidden = [name for name in asked if name not in {*MAP_PARAMETERS, "page"}]
    return [(name, value) for name in hidden for value in asked.getlist(name)]


def with_default_area(query):
    """The query, with the default region added when it names no area (and that region, else None)."""
    if any(query.get(name) for name in PLACE_PARAMETERS):
        return query, None
    region = selectors.default_map_region()
    if region is None:
        return query, None
    query = query.copy()
    query["region"] = region.slug
    return query, region


def legend(markers):
    """The pin colours on this map, as (group slug, name), in taxonomy order."""
    present = {marker.group for marker in markers}
    return [(slug, name) for slug, name in selectors.category_groups() if slug in present]
