"""The planner's whole flow in headless Chromium on a phone: create a plan → add a line → find providers →
shortlist three → compare → choose → record a monitoring."""

from datetime import time

import pytest
from playwright.sync_api import expect

from directory.models import Category
from plans.models import Plan
from tests import factories
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FEES = [
    {"kind": "public_10pct", "description": "サービス費の1割"},
    {"kind": "actual", "amount_yen": 500, "unit": "day", "description": "食費"},
]
HOURS = [{"day_type": "weekday", "opens": time(9), "closes": time(16)}]


def test_a_planner_goes_from_a_need_to_a_chosen_provider_and_reviews_it(page, live_server, settings):
    settings.MAP_TILES = "none"
    nagano = factories.MunicipalityFactory(code="202011", name="長野市", latitude=36.6486, longitude=138.1944)
    work = Category.objects.get(slug="employment-b")
    names = ["ワークセンターさくら", "ひまわり作業所", "あおぞら工房", "とおくの作業所"]
    for n, name in enumerate(names):
        factories.ResourceFactory(
            name=name, primary_category=work, municipality=nagano, latitude=36.65 + n * 0.01 + (n == 3),
            longitude=138.19, fees=FEES, hours=HOURS,
        )  # fmt: skip
    factories.planner(username="soudan")

    log_in(page, live_server, "soudan")
    page.locator("#nav-plans").click()
    page.locator("#new-plan").click()

    # An empty form comes back with its errors and saves nothing.
    page.get_by_role("button", name="保存").click()
    assert "利用者氏名: この項目は必須です。" in page.locator(".errorlist").all_inner_texts()
    page.fill("#id_person_name", "K・S")
    page.fill("#id_birth_year", "1998")
    page.select_option("#id_municipality", label="長野市")
    page.check("#id_disability_groups_1")  # 知的障害
    page.select_option("#id_support_level", "3")
    page.select_option("#id_income_bracket", "general1")
    page.fill("#id_person_wishes", "働いてお金をためたい")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/plans/*/")
    assert page.locator("#person-name").inner_text() == "K・S"

    page.locator("#add-line").click()
    page.fill("#id_need", "日中、仲間と働きたい")
    page.select_option("#id_category", label="就労継続支援B型")
    for day in range(5):
        page.check(f"#id_days_{day}")
    page.fill("#id_starts", "09:30")
    page.fill("#id_ends", "15:00")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/plans/*/")

    page.locator("#plan-lines a.find").click()
    page.wait_for_url("**/resources/?*for_line=*")
    assert page.locator("#shortlist-panel").is_visible()
    assert "とおくの作業所" not in page.locator(".result h2").all_inner_texts()  # 110 km from home
    for name in names[:3]:
        page.locator(".result", has_text=name).get_by_role("button", name="候補に追加").click()
        page.wait_for_url("**/resources/?*for_line=*")
    assert page.locator(".shortlisted").count() == 3

    page.locator("#go-compare").click()
    page.wait_for_url("**/compare/")
    assert page.locator("#compare thead th[data-candidate-id] a").all_inner_texts() == names[:3]
    assert "km" in page.locator("#compare .distance").first.inner_text()
    costs = page.locator("#compare td.cost").all_inner_texts()
    assert all("円" in cost for cost in costs)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its frame
    # Under the table, the candidates on a map around home, numbered as the columns.
    page.locator("#line-map").scroll_into_view_if_needed()
    line_map = page.frame_locator("#line-map iframe")
    expect(line_map.locator(".leaflet-marker-icon.pin.numbered")).to_have_count(3)
    assert page.locator("#compare thead .pin.numbered").all_inner_texts() == ["1", "2", "3"]
    page.screenshot(path="test-artifacts/plan-compare-phone.png", full_page=True)

    page.get_by_role("button", name="この事業所に決める").nth(1).click()  # ひまわり作業所, the second
    page.wait_for_url("**/compare/")
    assert "ひまわり作業所" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="K・S").click()
    assert "ひまわり作業所" in page.locator("#plan-lines .provider").inner_text()
    assert page.locator("#plan-total").inner_text().startswith("月の負担の見込み")
    # The plan's map: the chosen provider's pin opens its hours, read by the plan page for its frame.
    page.locator("#plan-map").scroll_into_view_if_needed()
    plan_map = page.frame_locator("#plan-map iframe")
    # By keyboard: after the full-page screenshot above, Chromium sends no clicks into a frame for a while.
    plan_map.locator(".leaflet-marker-icon[title='ひまわり作業所']").press("Enter")
    expect(plan_map.locator(".leaflet-popup-content")).to_contain_text("平日 09:00〜16:00")

    page.locator("#new-monitoring").click()
    page.fill("#id_overall", "毎日通えている。作業にも慣れてきた。")
    page.select_option("#id_outcome", "continue")
    page.locator("textarea[name$='-satisfaction']").fill("仕事が楽しい")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/plans/monitoring/*/")
    assert page.locator("#outcome").inner_text() == "継続"
    assert "仕事が楽しい" in page.locator("#monitoring-report").inner_text()

    plan = Plan.objects.get()
    assert plan.lines.get().provider.name == "ひまわり作業所"
    assert plan.views.filter(page="plan").exists()
    assert page.external_requests == []
