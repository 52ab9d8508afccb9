"""The map of one plan: the home area and the chosen providers. Read through Plan.objects.for_user, so
anyone the plan is not shared with gets a 404; no public map ever draws from plans."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from directory.geo import display_distance_km
from directory.models import Resource
from mapviews import builder
from mapviews.markers import resource_markers
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
    providers = Resource.objects.filter(pk__in=chosen).select_related(
        "primary_category", "municipality", "latest_vacancy"
    )
    markers = resource_markers(providers)
    home = plan.home_point
    radius_km = None
    if home is not None:
        farthest = max((display_distance_km(home, (m.latitude, m.longitude)) for m in markers), default=0)
        radius_km = max(MIN_RADIUS_KM, farthest + MARGIN_KM)
        popup = render_to_string("mapviews/home_popup.html", {"plan": plan})
        markers.append(builder.Marker(*home, title=str(plan.municipality), popup_html=popup, style="home"))
    folium_map = builder.resource_map(
        markers,
        tiles=settings.MAP_TILES,
        centre=home,
        radius_km=radius_km,
        stylesheets=[static("css/badges.css"), static("mapviews/map.css"), static("mapviews/plan_map.css")],
    )
    return HttpResponse(folium_map.get_root().render())
