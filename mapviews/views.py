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
    context.update(
        applied=filterset.applied(),
        shown=len(markers),
        more=len(found) > MAX_MARKERS,
        map_document=folium_map.get_root().render(),
    )
    return render(request, "mapviews/resource_map.html", context)
