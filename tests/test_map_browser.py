"""The public map in headless Chromium, as a family member on a phone uses it: pins and clusters for a
filter, a popup and its link, the list beside the map, the keyboard, nothing asked of the outside world but
the tiles, no console error, nothing run from a name, and no WCAG 2 A/AA violation found by axe-core."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from directory.models import Category
from tests import factories
from tests.helpers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
NAGANO = (36.6486, 138.1944)


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def settled(frame):
    """Waits until the map has its size and its pins stay where they are (fit-when-sized.js marks the map
    aria-busy while its frame has no size yet; then it fits the pins again, moving them)."""
    frame.locator(".folium-map:not([aria-busy])").wait_for()


@pytest.fixture
def nagano_area(db, settings):
    settings.MAP_TILES = "none"
    nagano = factories.MunicipalityFactory(
        code="202011", name="長野市", latitude=NAGANO[0], longitude=NAGANO[1]
    )
    return nagano


def test_a_family_member_opens_a_pin_on_the_map_and_reads_the_entry(
    page, live_server, nagano_area, console_errors
):
    factories.ResourceFactory(
        name="ワークセンターさくら",
        municipality=nagano_area,
        latitude=36.65,
        longitude=138.19,
        phone="026-000-0000",
    )
    factories.ResourceFactory(
        name="ひまわり作業所", municipality=nagano_area, latitude=36.60, longitude=138.10
    )

    page.goto(live_server.url + "/map/?near_address=長野市&radius_km=3")
    frame = page.frame_locator("#resource-map")
    pins = frame.locator(".leaflet-marker-icon.pin")
    pins.first.wait_for()
    settled(frame)
    assert pins.count() == 1  # ひまわり作業所 is 10 km away
    assert pins.first.inner_text() == "1"  # numbered as the list beside the map
    assert page.locator("#map-count").inner_text().startswith("1 か所を表示しています")
    assert page.locator(".map-list li").all_inner_texts()[0].startswith("1\nワークセンターさくら")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The whole map in view first: scrolling a pin into view would scroll Leaflet's own container.
    page.locator("#resource-map").scroll_into_view_if_needed()
    pins.first.click()
    popup = frame.locator(".leaflet-popup-content")
    assert "ワークセンターさくら" in popup.inner_text()
    assert popup.get_by_role("link", name="026-000-0000").get_attribute("href") == "tel:026-000-0000"
    ARTIFACTS.mkdir(exist_ok=True)
    # The screen as the phone shows it: after a full-page capture Chromium stops sending clicks to the map's
    # sandboxed frame (a process of its own) for a while.
    page.screenshot(path=str(ARTIFACTS / "map-phone.png"))
    with page.expect_navigation():  # by keyboard: a click may not reach the frame just after a screenshot
        popup.get_by_role("link", name="1. ワークセンターさくら").press("Enter")
    assert page.locator("h1").inner_text() == "ワークセンターさくら"
    page.locator("#entry-map").scroll_into_view_if_needed()  # the entry's own map, under its address
    expect(page.frame_locator("#entry-map").locator(".leaflet-marker-icon.pin")).to_have_count(1)
    assert page.external_requests == []
    assert console_errors == []


def test_a_filter_shows_its_pins_as_clusters_and_the_list_opens_one(
    page, live_server, nagano_area, console_errors
):
    salon = Category.objects.get(slug="salon")
    for n in range(12):  # twelve salons on one street: clustered at the search's zoom
        factories.ResourceFactory(
            name=f"サロン{n:02}", name_kana=f"さろん{n:02}", primary_category=salon, municipality=nagano_area,
            latitude=36.65 + n * 0.0003, longitude=138.19,
        )  # fmt: skip
    factories.ResourceFactory(name="作業所", municipality=nagano_area, latitude=36.70, longitude=138.30)

    page.goto(live_server.url + "/map/?category=informal&near_address=長野市&radius_km=20")
    frame = page.frame_locator("#resource-map")
    clusters = frame.locator(".marker-cluster")
    clusters.first.wait_for()
    settled(frame)
    frame.locator(".leaflet-zoom-anim").wait_for(state="detached")  # while zooming, both levels are drawn
    page.wait_for_timeout(500)
    single_pins = frame.locator(".leaflet-marker-icon.pin").count()
    assert sum(int(text) for text in clusters.all_inner_texts()) + single_pins == 12  # and not 作業所
    assert clusters.count() <= 2  # close together, they are drawn as clusters, not 12 pins
    assert page.locator(".map-list li").count() == 12

    page.locator(".show-pin").nth(4).click()  # 「地図で見る」 beside the fifth salon
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator(".name").inner_text() == "5. サロン04"
    # Keyboard users land in the popup: its first link has the focus.
    assert frame.locator(".leaflet-popup-content a:focus").inner_text() == "5. サロン04"
    assert console_errors == []


def test_a_resource_named_like_a_script_runs_nothing(page, live_server, nagano_area, console_errors):
    hostile = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>{{7*7}}"
    factories.ResourceFactory(name=hostile, municipality=nagano_area, address=hostile)
    page.goto(live_server.url + "/map/?near_address=長野市")
    frame = page.frame_locator("#resource-map")
    frame.locator(".leaflet-marker-icon.pin").first.wait_for()
    settled(frame)
    page.locator("#resource-map").scroll_into_view_if_needed()
    frame.locator(".leaflet-marker-icon.pin").first.click()
    popup = frame.locator(".leaflet-popup-content")
    assert popup.locator(".name").inner_text() == "1. " + hostile
    assert page.frames[1].evaluate("window.pwned") is None
    assert page.evaluate("window.pwned") is None
    assert page.locator(".map-list a").first.inner_text() == hostile
    assert console_errors == []


def test_the_public_map_and_pages_have_no_wcag_violation(page, live_server, nagano_area, console_errors):
    resource = factories.ResourceFactory(
        name="ワークセンターさくら",
        municipality=nagano_area,
        phone="026-000-0000",
        latitude=36.65,
        longitude=138.19,
    )
    factories.ResourceFactory(
        name="ふれあいサロン", municipality=nagano_area, primary_category=Category.objects.get(slug="salon")
    )
    page.goto(live_server.url + "/map/?near_address=長野市")
    page.frame_locator("#resource-map").locator(".leaflet-marker-icon").first.wait_for()
    settled(page.frame_locator("#resource-map"))
    ARTIFACTS.mkdir(exist_ok=True)
    # The screen as a phone shows it: a full-page capture leaves the map's frame (its own process) blank.
    page.locator("#resource-map").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "public-map-phone.png"))
    assert (
        console_errors == []
    )  # (axe itself then asks for the frame's style sheets, which its null origin may not read)
    assert axe_violations(page.main_frame) == []
    assert axe_violations(page.frames[1]) == []  # the map's own document
    # axe reads the frame's style sheets by XHR, which a sandbox's null origin may not: axe's errors
    page.wait_for_timeout(500)
    console_errors[:] = [e for e in console_errors if "origin 'null'" not in e and "ERR_FAILED" not in e]

    for path in ["/", resource.get_absolute_url(), "/resources/?q=ワーク"]:
        page.goto(live_server.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert (path, axe_violations(page.main_frame)) == (path, [])
    assert page.external_requests == []
    assert console_errors == []


def test_the_map_asks_the_outside_world_for_tiles_only(page, live_server, settings):
    settings.MAP_TILES = "gsi-pale"
    factories.ResourceFactory(name="ワークセンターさくら")
    page.goto(live_server.url + "/map/")
    page.frame_locator("#resource-map").locator(".leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")
    hosts = {request.split("/")[2] for request in page.external_requests}
    assert hosts == {"cyberjapandata.gsi.go.jp"}
