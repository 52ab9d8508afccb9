"""What a plan costs the person each month (利用者負担の見込み), for the compare page and the plan page.

Formal services cost the person 10 % of the service cost, and all the lines together at most the monthly
cap of their income bracket (上限額管理: the cap is applied once to the sum, not to each line). Meals, rent,
utilities and daily goods (実費) are paid in full, from the provider's Fee rows. A group-home resident on
生活保護 or 低所得 gets up to 10,000 yen a month towards rent (特定障害者特別給付費). Children's day services
are free for children aged 3–5 before school (幼児教育・保育の無償化); with only a birth year kept, the age is
the one reached this year.

The service cost is the line's own figure when the planner gives one, else a typical daily figure for the
category (TYPICAL_COST_PER_DAY_YEN, rough 2024 報酬 levels): an estimate to compare, not a bill.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directory.choices import FeeKind, FeeUnit, ResourceKind
from directory.models import Category
from plans.choices import IncomeBracket

CO_PAYMENT_RATE = 0.10
GROUP_HOME = "group-home"
GROUP_HOME_RENT_SUPPORT_YEN = 10_000
RENT_SUPPORT_BRACKETS = {IncomeBracket.WELFARE, IncomeBracket.LOW}
CHILD_DAY_SERVICES = "child-day-services"
FREE_PRESCHOOL_AGES = range(3, 6)
WEEKS_PER_MONTH = 52 / 12
DEFAULT_DAYS_PER_MONTH = 22
RENT_WORD = "家賃"

# A typical service cost a day (or a use, for home help), in yen: 1 unit ≈ 10 yen at 2024 rates.
TYPICAL_COST_PER_DAY_YEN = {
    "home-care": 4_000,
    "severe-home-care": 12_000,
    "accompanied-outing": 5_000,
    "behavioral-support": 6_000,
    "medical-care": 6_000,
    "daily-life-care": 10_000,
    "short-stay": 8_000,
    "residential-support": 3_000,
    "functional-training": 7_500,
    "life-training": 7_500,
    "employment-transition": 8_000,
    "employment-a": 6_500,
    "employment-b": 6_000,
    "group-home": 5_000,
    "independent-living": 2_000,
    "child-development": 10_000,
    "medical-child-development": 10_000,
    "after-school-day": 7_000,
    "home-visit-child-development": 10_000,
    "nursery-visit-support": 9_000,
}


@dataclass
class LineCost:
    line: object
    resource: object
    days_per_month: int = 0
    service_cost_yen: int | None = None
    share_yen: int = 0  # 10 % of the service cost, before the cap
    expenses: list = field(default_factory=list)  # (label, yen) of 実費
    rent_support_yen: int = 0
    unknown: list = field(default_factory=list)  # what could not be priced, in words
    free_reason: str = ""

    @property
    def expenses_yen(self):
        return sum(yen for _label, yen in self.expenses)


@dataclass
class PlanCost:
    cap_yen: int
    lines: list

    @property
    def shares_yen(self):
        return sum(line.share_yen for line in self.lines)

    @property
    def capped_share_yen(self):
        return min(self.shares_yen, self.cap_yen)

    @property
    def expenses_yen(self):
        return sum(line.expenses_yen for line in self.lines)

    @property
    def rent_support_yen(self):
        return sum(line.rent_support_yen for line in self.lines)

    @property
    def total_yen(self):
        return self.capped_share_yen + self.expenses_yen - self.rent_support_yen

    @property
    def unknown(self):
        return [item for line in self.lines for item in line.unknown]


def days_per_month(line):
    if line.days_per_month:
        return line.days_per_month
    if line.days:
        return min(31, round(len(line.days) * WEEKS_PER_MONTH))
    return DEFAULT_DAYS_PER_MONTH


def _category_slugs(resource, line):
    slugs = {resource.primary_category.slug} if resource is not None else set()
    if line.category_id:
        slugs.add(line.category.slug)
    return slugs


def _in_child_day_services(slugs):
    children = Category.objects.descendants_of(Category.objects.filter(slug=CHILD_DAY_SERVICES))
    return bool(slugs & set(children.values_list("slug", flat=True)))


def line_cost(plan, line, resource, *, on=None) -> LineCost:
    """The month of one line with `resource` as its provider (None: nothing to pay)."""
    cost = LineCost(line=line, resource=resource)
    if resource is None or line.support_kind == ResourceKind.INFORMAL:
        return cost
    days = cost.days_per_month = days_per_month(line)
    fees = list(resource.fees.all())
    slugs = _category_slugs(resource, line)
    if any(fee.kind == FeeKind.PUBLIC_10_PERCENT for fee in fees):
        per_day = line.service_cost_per_day_yen or TYPICAL_COST_PER_DAY_YEN.get(
            resource.primary_category.slug
        )
        if per_day is None:
            cost.unknown.append(f"{resource.name}: {_('サービス費')}")
        else:
            cost.service_cost_yen = per_day * days
            if plan.age(on) in FREE_PRESCHOOL_AGES and _in_child_day_services(slugs):
                cost.free_reason = _("幼児教育・保育の無償化（3～5歳）")
            else:
                cost.share_yen = round(cost.service_cost_yen * CO_PAYMENT_RATE)
    rent = 0
    for fee in fees:
        if fee.kind in (FeeKind.PUBLIC_10_PERCENT, FeeKind.FREE):
            continue
        label = fee.description or fee.get_kind_display()
        if fee.amount_yen is None:
            cost.unknown.append(f"{resource.name}: {label}")
            continue
        per_month = fee.amount_yen if fee.unit in (FeeUnit.PER_MONTH, "") else fee.amount_yen * days
        cost.expenses.append((label, per_month))
        if RENT_WORD in label:
            rent += per_month
    if GROUP_HOME in slugs and plan.income_bracket in RENT_SUPPORT_BRACKETS and rent:
        cost.rent_support_yen = min(rent, GROUP_HOME_RENT_SUPPORT_YEN)
    return cost


def plan_cost(plan, lines, *, providers=None, on=None) -> PlanCost:
    """The month of the whole plan: each line with its provider (or the one `providers` puts in its place,
    a {line pk: resource or None} map), the 10 % shares summed and capped once."""
    providers = providers or {}
    return PlanCost(
        cap_yen=plan.monthly_cap_yen,
        lines=[line_cost(plan, line, providers.get(line.pk, line.provider), on=on) for line in lines],
    )


def candidate_month(plan, lines, line, resource, *, on=None):
    """What choosing `resource` for `line` adds to the person's month, the cap shared with the other
    lines: (the added 10 % share after the cap, the line's cost)."""
    without = plan_cost(plan, lines, providers={line.pk: None}, on=on)
    with_it = plan_cost(plan, lines, providers={line.pk: resource}, on=on)
    this_line = next(cost for cost in with_it.lines if cost.line.pk == line.pk)
    return with_it.capped_share_yen - without.capped_share_yen, this_line
