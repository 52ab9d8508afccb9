"""The pages as a person on a phone sees them, in headless Chromium."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from directory import services
from directory.models import Category
from tests import factories
from tests.helpers import load_areas_of_japan, log_in

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
    # Nothing leaves for the outside world but the tiles of the entry's own map (地理院タイル by default).
    assert {urlsplit(url).netloc for url in page.external_requests} == {"cyberjapandata.gsi.go.jp"}


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


# The folium map of the frame's document (folium names it map_<id>).
FOLIUM_MAP = "window[Object.keys(window).find((key) => key.startsWith('map_'))]"


def test_a_map_framed_while_its_frame_has_no_size_is_framed_again_once_it_has_one(
    page, live_server, settings
):
    """The map's sandboxed frame may run in a process of its own that learns its size after the map's script
    has run: Leaflet then fits the circle into nothing, at its closest zoom, with no pin in sight."""
    settings.MAP_TILES = "none"
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    factories.ResourceFactory(
        name="ワークセンターさくら", municipality=nagano, latitude=36.65, longitude=138.19
    )
    page.goto(live_server.url + "/map/?near_address=長野市&radius_km=3")
    frame = page.locator("#resource-map")
    pin = frame.content_frame.locator(".leaflet-marker-icon.pin")
    pin.wait_for()
    body = frame.content_frame.locator("body")
    zoom = body.evaluate(f"() => {FOLIUM_MAP}.getZoom()")

    frame.evaluate("(frame) => { frame.style.width = '0'; }")
    # The frame's own process learns its new size a moment later; Leaflet reads it when told to.
    frame.element_handle().content_frame().wait_for_function("() => window.innerWidth === 0")
    body.evaluate(f"() => {{ const map = {FOLIUM_MAP}.invalidateSize(); map.fitBounds(map.getBounds()); }}")
    assert body.evaluate(f"() => {FOLIUM_MAP}.getZoom()") == 18  # the closest: the pin is out of sight
    frame.evaluate("(frame) => { frame.style.width = ''; }")
    pin.wait_for()
    assert body.evaluate(f"() => {FOLIUM_MAP}.getZoom()") == zoom


def test_no_page_breaks_the_content_security_policy(page, live_server, settings):
    settings.MAP_TILES = "gsi-pale"
    resource = factories.ResourceFactory(name="ワークセンターさくら", latitude=36.65, longitude=138.19)
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/resources/")
    assert "ワークセンターさくら" in page.locator(".result-list").inner_text()
    # The print button works from our script file, as the language menu does.
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="印刷").click()
    assert page.evaluate("window.printed") is True
    page.goto(live_server.url + resource.get_absolute_url())
    assert page.locator("h1").inner_text() == "ワークセンターさくら"
    page.goto(live_server.url + "/map/")
    # The map's scripts ran in its sandboxed frame: Leaflet drew the pin and the GSI tiles were asked for.
    page.frame_locator("#resource-map").locator(".leaflet-marker-icon.pin").first.wait_for()
    page.frame_locator("#resource-map").locator("img.leaflet-tile").first.wait_for(state="attached")
    # Its sandbox gives it an origin of its own: it cannot reach into the page.
    frame = page.locator("#resource-map").content_frame
    assert (
        frame.locator("body").evaluate("() => { try { return !!parent.document; } catch { return false; } }")
        is False
    )
    page.goto(live_server.url + "/api/docs/")
    # Swagger UI ran its inline script, read the schema and listed the operations.
    page.locator(".swagger-ui .info .title").wait_for()
    assert "地域資源マップ API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.csp_violations == []
    assert {request.split("/")[2] for request in page.external_requests} == {"cyberjapandata.gsi.go.jp"}


def test_a_script_injected_into_a_page_does_not_run(page, live_server):
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("window.injected") is None
    assert any("script-src" in violation for violation in page.csp_violations)


def test_a_coordinator_checks_an_open_data_file_on_a_phone_and_reads_the_rows_to_fix(
    page, live_server, tmp_path
):
    from directory.models import Resource

    load_areas_of_japan()
    factories.coordinator(username="kikan")
    sample = Path(__file__).resolve().parent / "data" / "wam-sample.csv"
    lines = sample.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    broken = tmp_path / "wam-toyama.csv"
    broken.write_text(
        "".join([*lines[:3], lines[3].replace('"1610300048"', '"16103"'), *lines[4:]]), "utf-8-sig"
    )
    log_in(page, live_server, "kikan")

    page.get_by_role("link", name="オープンデータの取り込み（WAM NET・介護サービス情報公表）").click()
    assert page.get_by_label("まず確認だけ（保存しない）").is_checked()
    # A file of the other format: the form says so, with the columns it expected, within the screen.
    page.set_input_files("#id_file", str(sample.parent / "kaigo-sample.csv"))
    page.get_by_role("button", name="取り込む").click()
    assert (
        "WAM NET 障害福祉サービスのオープンデータのファイルではありません"
        in page.locator("#field-file .errorlist").inner_text()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Pressed twice while the server works: the button says so, and the second press sends nothing (two
    # submit events, not a real submission: a page on its way out answers no script).
    page.wait_for_load_state("load")  # site.js has run
    pressed_twice = page.evaluate(
        """() => {
            const form = document.getElementById("import-form");
            const presses = [1, 2].map(() => new SubmitEvent("submit", {bubbles: true, cancelable: true}));
            presses.forEach(press => form.dispatchEvent(press));
            const button = form.querySelector("[type=submit]");
            return [...presses.map(press => press.defaultPrevented), button.textContent];
        }"""
    )
    assert pressed_twice == [False, True, "取り込んでいます…"]
    page.goto(live_server.url + "/coordinator/imports/")
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="取り込む").click()
    report = page.locator("#import-report")
    assert "まだ何も保存していません" in report.inner_text()
    skipped = page.locator("#skipped-rows tbody tr")
    assert skipped.count() == 1
    assert skipped.first.locator("td").all_inner_texts()[:3] == ["4", "事業所番号", "16103"]
    # The table is stacked on a phone: each cell shows its column's name before it.
    label = "getComputedStyle(document.querySelector('#skipped-rows td'), '::before').content"
    assert page.evaluate(label) == '"行: "'
    assert page.locator("td[data-count=created]").inner_text() == "23"
    assert Resource.objects.count() == 0
    assert not page.get_by_label("まず確認だけ（保存しない）").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "open-data-import-phone.png"), full_page=True)
    assert page.external_requests == []
