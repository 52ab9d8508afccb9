"""The map of one plan: the home area and the chosen providers. Read through Plan.objects.for_user, so
anyone the plan is not shared with gets a 404; no public map ever draws from plans."""

from csp.constants import SELF
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from directory import selectors
from directory.geo import display_distance_km
from directory.models import Resource
from mapviews import maps
from mapviews.markers import resource_markers
from mapviews.views import allow_tiles
from plans.models import Plan, PlanLine

MIN_RADIUS_KM = 2
MARGIN_KM = 1


@require_GET
@never_cache
@xframe_options_sameorigin
def plan_map(request, pk):
    """The map's document, for the plan page's frame."""
    plan = get_object_or_404(Plan.objects.for_user(request.user).select_related("municipality"), pk=pk)
    chosen = PlanLine.objects.filter(plan=plan, provider__isnull=False).values("provider")
    markers = resource_markers(selectors.card_rows(Resource.objects.filter(pk__in=chosen)))
    home = plan.home_point
    radius_km = None
    if home is not None:
        farthest = max((display_distance_km(home, (m.latitude, m.longitude)) for m in markers), default=0)
        radius_km = max(MIN_RADIUS_KM, farthest + MARGIN_KM)
        if plan.has_point:
            title = _("自宅付近（おおよその地点）")
        else:
            title = _("%(place)s（市区町村の中心）") % {"place": plan.municipality}
        markers.append(maps.Marker(*home, title=title, group="home"))
    folium_map = maps.resource_map(
        markers,
        tiles=settings.MAP_TILES,
        centre=home,
        radius_km=radius_km,
        stylesheets=[static("css/badges.css"), static("mapviews/map.css"), static("mapviews/plan_map.css")],
    )
    response = allow_tiles(HttpResponse(maps.map_document(folium_map, nonce=request.csp_nonce)))
    response._csp_replace = {"frame-ancestors": [SELF]}  # shown in the plan page's frame, and only there
    return response
