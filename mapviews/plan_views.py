"""The maps of one plan: the home area with the chosen providers (the plan page), or with one line's
candidates (the compare page). Read through Plan.objects.for_user, so anyone the plan is not shared with gets
a 404; no public map ever draws from plans."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from directory.geo import display_distance_km
from directory.models import Resource
from mapviews import maps
from mapviews.markers import resource_pins
from mapviews.views import framed, map_stylesheets
from plans.models import Plan, PlanLine

MIN_RADIUS_KM = 2
MARGIN_KM = 1


@require_GET
@never_cache
def plan_map(request, pk):
    """The map's document, for the plan page's frame: the chosen providers."""
    plan = get_object_or_404(Plan.objects.for_user(request.user).select_related("municipality"), pk=pk)
    chosen = PlanLine.objects.filter(plan=plan, provider__isnull=False).values("provider")
    return around_home(request, plan, resource_pins(Resource.objects.filter(pk__in=chosen)))


@require_GET
@never_cache
def line_map(request, pk):
    """The map's document, for the compare page's frame: a line's candidates, numbered as its columns."""
    lines = PlanLine.objects.filter(plan__in=Plan.objects.for_user(request.user))
    line = get_object_or_404(lines.select_related("plan__municipality"), pk=pk)
    order = {resource: n for n, resource in enumerate(line.candidates.values_list("resource_id", flat=True))}
    pins = sorted(resource_pins(Resource.objects.filter(pk__in=list(order))), key=lambda pin: order[pin.key])
    return around_home(request, line.plan, pins, numbered=len(pins))


def around_home(request, plan, pins, *, numbered=0):
    """The pins and the plan's home area (the rounded point, else the municipality's centre), framed on a
    circle round home that holds them all."""
    home = plan.home_point
    radius_km = None
    if home is not None:
        farthest = max((display_distance_km(home, (pin.latitude, pin.longitude)) for pin in pins), default=0)
        radius_km = max(MIN_RADIUS_KM, farthest + MARGIN_KM)
        if plan.has_point:
            title = _("自宅付近（おおよその地点）")
        else:
            title = _("%(place)s（市区町村の中心）") % {"place": plan.municipality}
        pins = [*pins, maps.Pin(*home, title=title, group="home")]
    folium_map = maps.resource_map(
        pins,
        tiles=settings.MAP_TILES,
        numbered=numbered,
        clustered=False,  # a plan's few pins are each to be seen
        centre=home,
        radius_km=radius_km,
        stylesheets=map_stylesheets("mapviews/plan_map.css"),
    )
    return framed(request, folium_map)
