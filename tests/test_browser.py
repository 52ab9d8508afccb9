"""The pages as a person on a phone sees them, in headless Chromium."""

from pathlib import Path

import pytest

from directory import services
from directory.models import Category
from tests import factories
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_a_family_member_reads_a_resource_on_a_phone_and_switches_to_english(page, live_server):
    coordinator = factories.coordinator()
    resource = factories.ResourceFactory(name="ワークセンターさくら", phone="026-000-0000")
    services.resource_verify(resource=resource, by=coordinator)

    page.goto(live_server.url + resource.get_absolute_url())
    assert page.locator("h1").inner_text() == "ワークセンターさくら"
    assert page.locator("[data-freshness=fresh]").first.is_visible()
    assert page.get_by_role("link", name="026-000-0000").get_attribute("href") == "tel:026-000-0000"
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "resource-detail-phone.png"), full_page=True)

    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "ワークセンターさくら"
    assert page.external_requests == []


def test_a_planner_logs_in_and_lands_on_the_planner_home(page, live_server):
    factories.planner(username="soudan")
    log_in(page, live_server, "soudan")
    assert page.locator("#planner-home").is_visible()
    assert page.external_requests == []


def test_a_family_member_searches_from_the_home_page_in_hiragana_on_a_phone(page, live_server):
    group_home = Category.objects.get(slug="group-home")
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    factories.ResourceFactory(name="グループホームりんご", primary_category=group_home, municipality=nagano)
    factories.ResourceFactory(name="ワークセンターさくら", municipality=nagano)

    page.goto(live_server.url + "/")
    page.fill("#home-q", "ぐるーぷほーむ")
    page.fill("#home-near", "長野市")
    page.get_by_role("button", name="さがす").click()
    page.wait_for_url("**/resources/?*")
    results = page.locator(".result h2")
    assert results.all_inner_texts() == ["グループホームりんご"]
    assert "km" in page.locator(".result .distance").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)
    results.first.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "グループホームりんご"
    assert page.external_requests == []


def test_a_family_member_opens_a_pin_on_the_map_and_reads_the_entry(page, live_server, settings):
    settings.MAP_TILES = "none"
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    factories.ResourceFactory(
        name="ワークセンターさくら", municipality=nagano, latitude=36.65, longitude=138.19
    )
    factories.ResourceFactory(name="ひまわり作業所", municipality=nagano, latitude=36.60, longitude=138.10)

    page.goto(live_server.url + "/map/?near_address=長野市&radius_km=3")
    frame = page.frame_locator("#resource-map")
    pins = frame.locator("img.leaflet-marker-icon")
    pins.first.wait_for()
    assert pins.count() == 1  # ひまわり作業所 is 10 km away
    assert pins.first.get_attribute("src") == "/static/mapviews/vendor/leaflet-1.9.4/images/marker-icon.png"
    assert page.locator("#map-count").inner_text().startswith("1 か所を表示しています")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The whole map in view first: scrolling a pin into view would scroll Leaflet's own container.
    page.locator("#resource-map").scroll_into_view_if_needed()
    pins.first.click()
    popup = frame.locator(".leaflet-popup-content")
    assert "ワークセンターさくら" in popup.inner_text()
    page.screenshot(path=str(ARTIFACTS / "map-phone.png"), full_page=True)
    with page.expect_navigation():
        popup.get_by_role("link", name="ワークセンターさくら").click()
    assert page.locator("h1").inner_text() == "ワークセンターさくら"
    assert page.external_requests == []


def test_the_map_asks_the_outside_world_for_tiles_only(page, live_server, settings):
    settings.MAP_TILES = "gsi"
    factories.ResourceFactory(name="ワークセンターさくら")
    page.goto(live_server.url + "/map/")
    page.frame_locator("#resource-map").locator("img.leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")
    hosts = {request.split("/")[2] for request in page.external_requests}
    assert hosts == {"cyberjapandata.gsi.go.jp"}
