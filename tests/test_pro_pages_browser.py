"""The professionals' own pages in headless Chromium on a phone: axe-core finds no WCAG 2 A/AA violation on
the plan, its compare page with its map, its week and its line forms, the provider's edit form, and the
coordinator's 地域診断, import and queue pages; none is wider than the phone."""

from datetime import time

import pytest

from directory.models import Category, Region
from plans import services
from tests import factories
from tests.helpers import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, live_server, paths):
    """{path: violations} for each page, after its frames have loaded; and that none scrolls sideways."""
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        found[path] = axe_violations(page.main_frame)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    return found


def test_the_planners_pages_have_no_wcag_violation(page, live_server, settings):
    settings.MAP_TILES = "none"
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    owner = factories.planner(username="soudan")
    plan = factories.plan(owner=owner, municipality=nagano, latitude=36.65, longitude=138.19)
    line = factories.plan_line(plan, days=["mon", "tue"], starts=time(9), ends=time(15))
    for n in range(2):
        office = factories.ResourceFactory(name=f"作業所{n}", municipality=nagano, latitude=36.66 + n / 100)
        services.candidate_add(line=line, resource=office, by=owner)
    services.schedule_from_lines(plan=plan, by=owner)
    log_in(page, live_server, "soudan")
    paths = [
        f"/plans/{plan.pk}/", f"/plans/lines/{line.pk}/compare/", f"/plans/{plan.pk}/week/",
        f"/plans/lines/{line.pk}/", f"/plans/lines/{line.pk}/delete/",
    ]  # fmt: skip
    assert checked(page, live_server, paths) == {path: [] for path in paths}


def test_the_providers_and_coordinators_pages_have_no_wcag_violation(page, live_server, settings):
    settings.MAP_TILES = "none"
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    Region.objects.create(slug="hokushin", name="北信圏域").municipalities.set([nagano])
    organization = factories.OrganizationFactory()
    entry = factories.ResourceFactory(
        organization=organization,
        municipality=nagano,
        primary_category=Category.objects.get(slug="group-home"),
    )
    factories.service_manager(organization, username="sabikan")
    factories.coordinator(username="kikan")

    log_in(page, live_server, "sabikan")
    assert checked(page, live_server, ["/", f"/resources/{entry.pk}/edit/"]) == {
        "/": [],
        f"/resources/{entry.pk}/edit/": [],
    }
    page.context.clear_cookies()
    log_in(page, live_server, "kikan")
    paths = ["/", "/coordinator/coverage/", "/coordinator/imports/", "/coordinator/verification/never/"]
    assert checked(page, live_server, paths) == {path: [] for path in paths}
