"""The monthly cost estimate for each income bracket: 10 % of the service cost, the cap applied once over
every line (上限額管理), 実費 in full, the group-home rent support and the free years of 3–5-year-olds."""

from datetime import date

import pytest

from directory.models import Category
from plans import costs
from plans.choices import PlanKind
from tests import factories

pytestmark = pytest.mark.django_db

WELFARE_FEES = [{"kind": "public_10pct", "description": "サービス費の1割"}]
MEALS = {"kind": "actual", "amount_yen": 500, "unit": "day", "description": "食費"}
GROUP_HOME_FEES = [
    *WELFARE_FEES,
    {"kind": "fixed", "amount_yen": 30_000, "unit": "month", "description": "家賃"},
    {"kind": "fixed", "amount_yen": 12_000, "unit": "month", "description": "光熱水費"},
    {"kind": "actual", "amount_yen": 1_000, "unit": "day", "description": "食費"},
]


def office(slug="employment-b", fees=WELFARE_FEES):
    return factories.ResourceFactory(primary_category=Category.objects.get(slug=slug), fees=fees)


def estimate(plan):
    return costs.plan_cost(plan, list(plan.lines.all()))


def day_service(plan, *, per_day, days=10, fees=WELFARE_FEES):
    return factories.plan_line(
        plan, provider=office(fees=fees), service_cost_per_day_yen=per_day, days_per_month=days
    )


@pytest.mark.parametrize(
    ("bracket", "share", "total"),
    [("welfare", 0, 10_000), ("low", 0, 10_000), ("general1", 9_300, 19_300), ("general2", 12_000, 22_000)],
)
def test_a_day_service_costs_each_bracket_its_capped_share_plus_meals(bracket, share, total):
    plan = factories.plan(income_bracket=bracket)
    day_service(plan, per_day=6_000, days=20, fees=[*WELFARE_FEES, MEALS])  # 120,000 yen of service
    cost = estimate(plan)
    assert cost.shares_yen == 12_000
    assert (cost.capped_share_yen, cost.expenses_yen, cost.total_yen) == (share, 10_000, total)


def test_the_cap_is_applied_once_to_the_sum_of_every_line():
    plan = factories.plan(income_bracket="general1")
    for _ in range(3):
        day_service(plan, per_day=4_000)  # 4,000 yen each: under the cap one by one, over it together
    cost = estimate(plan)
    assert [line.share_yen for line in cost.lines] == [4_000, 4_000, 4_000]
    assert cost.capped_share_yen == 9_300


def test_general2_pays_up_to_37200():
    plan = factories.plan(income_bracket="general2")
    day_service(plan, per_day=25_000, days=20)
    assert estimate(plan).capped_share_yen == 37_200


def test_a_group_home_resident_on_welfare_or_low_income_gets_up_to_10000_yen_towards_rent():
    for bracket, support in (("welfare", 10_000), ("low", 10_000), ("general1", 0)):
        plan = factories.plan(income_bracket=bracket)
        factories.plan_line(
            plan, category=None, provider=office("group-home", GROUP_HOME_FEES), days_per_month=30
        )
        cost = estimate(plan)
        assert cost.rent_support_yen == support
        assert cost.expenses_yen == 30_000 + 12_000 + 30 * 1_000
        assert cost.total_yen == cost.capped_share_yen + 72_000 - support


def test_children_aged_3_to_5_use_day_services_free_but_pay_snacks():
    today = date.today()
    four = factories.plan(
        kind=PlanKind.CHILD, birth_year=today.year - 4, guardian_name="母", income_bracket="general2",
        disability_groups=["child"], support_level=None,
    )  # fmt: skip
    snacks = {"kind": "actual", "amount_yen": 100, "unit": "day", "description": "おやつ代"}
    factories.plan_line(
        four, category=None, provider=office("child-development", [*WELFARE_FEES, snacks]), days_per_month=10
    )
    cost = estimate(four)
    assert cost.lines[0].free_reason and cost.lines[0].share_yen == 0
    assert cost.total_yen == 1_000


def test_a_school_child_of_general1_pays_at_most_4600():
    child = factories.plan(
        kind=PlanKind.CHILD, birth_year=date.today().year - 8, guardian_name="父", income_bracket="general1",
        support_level=None,
    )  # fmt: skip
    factories.plan_line(child, category=None, provider=office("after-school-day"), days_per_month=20)
    cost = estimate(child)
    assert cost.lines[0].share_yen == 20 * costs.TYPICAL_COST_PER_DAY_YEN["after-school-day"] // 10
    assert cost.capped_share_yen == 4_600


def test_a_candidate_adds_only_what_is_left_under_the_cap():
    plan = factories.plan(income_bracket="general1")
    day_service(plan, per_day=8_000)  # 8,000 yen share already
    line = factories.plan_line(plan, service_cost_per_day_yen=6_000, days_per_month=10)
    added, line_cost = costs.candidate_month(plan, list(plan.lines.all()), line, office())
    assert (line_cost.share_yen, added) == (6_000, 1_300)


def test_an_unknown_amount_is_named_not_guessed():
    plan = factories.plan()
    unknown_meal = {"kind": "actual", "description": "食費"}
    factories.plan_line(plan, provider=office("employment-b", [*WELFARE_FEES, unknown_meal]))
    assert estimate(plan).unknown == [f"{plan.lines.get().provider.name}: 食費"]
