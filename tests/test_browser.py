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
