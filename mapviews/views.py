from urllib.parse import urlsplit

from csp.constants import SELF
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from directory import selectors
from directory.filters import ResourceFilterSet
from directory.models import Resource
from directory.pagination import without_page
from directory.throttling import throttle
from mapviews import maps
from mapviews.markers import pin_cards, resource_pins

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
    found = resource_pins(filterset.qs, limit=settings.MAP_MAX_MARKERS + 1)
    pins = found[: settings.MAP_MAX_MARKERS]
    # The list beside the map: each numbered pin (its colour and number) with its card.
    cards = pin_cards(selectors.card_rows(filterset.qs.filter(pk__in=[pin.key for pin in pins[:LISTED]])))
    by_key = {card.key: card for card in cards}
    listed = [(n, pin, by_key[pin.key]) for n, pin in enumerate(pins[:LISTED], 1) if pin.key in by_key]
    folium_map = maps.resource_map(
        pins,
        tiles=settings.MAP_TILES,
        numbered=LISTED,
        centre=form.point,
        radius_km=form.radius_km,
        stylesheets=map_stylesheets(),
    )
    context.update(
        applied=[item for item in filterset.applied() if not (default_region and item[0] == "region")],
        shown=len(pins),
        more=len(found) > settings.MAP_MAX_MARKERS,
        listed=listed,
        groups=legend(pins),
        map_document=maps.map_document(folium_map, nonce=request.csp_nonce),
    )
    return allow_tiles(render(request, "mapviews/resource_map.html", context))


@require_GET
@throttle("pin")
def pin(request, pk):
    """A pin's popup, as JSON for the page around a map (map-page.js): the resource's card, or a 404 for
    anyone the entry is not visible to."""
    resources = selectors.card_rows(Resource.objects.visible_to(request.user).filter(pk=pk))
    card = next(iter(pin_cards(resources)), None)
    if card is None:
        raise Http404
    return JsonResponse(card.as_popup(), json_dumps_params={"ensure_ascii": False})


@require_GET
def entry_map(request, pk):
    """An entry's mini-map, for the entry page's frame: its pin on its streets."""
    resources = Resource.objects.visible_to(request.user).filter(pk=pk)
    pins = resource_pins(resources)
    if not pins:
        raise Http404
    folium_map = maps.resource_map(pins, tiles=settings.MAP_TILES, stylesheets=map_stylesheets())
    return framed(request, folium_map)


def framed(request, folium_map):
    """The map as the document of a frame of our own pages (and of no one else's)."""
    response = allow_tiles(HttpResponse(maps.map_document(folium_map, nonce=request.csp_nonce)))
    response._csp_replace = {"frame-ancestors": [SELF]}
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def map_stylesheets(*more):
    """The style sheets inside a map's frame: the pins' colours and the map's own (site.css is the page's)."""
    return [static("css/badges.css"), static("mapviews/map.css"), *(static(sheet) for sheet in more)]


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


def legend(pins):
    """The pin colours on this map, as (group slug, name), in taxonomy order."""
    present = {pin.group for pin in pins}
    return [(slug, name) for slug, name in selectors.category_groups() if slug in present]
