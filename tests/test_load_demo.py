"""The demo loader: what `manage.py load_demo` puts in the catalogue, and that a second run changes nothing.

Loading takes several seconds, so the module loads once (see `demo`) inside a transaction that is rolled back
when the module is done; each test still runs in its own savepoint.
"""

from datetime import time, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.utils import timezone

from directory import roles
from directory.choices import DayType, FeeKind, ResourceKind, ResourceStatus, Visibility
from directory.management.commands.load_demo import PASSWORD, DemoPlan, read_fixtures
from directory.models import (
    Category,
    Fee,
    Membership,
    Municipality,
    OpeningHours,
    Organization,
    Prefecture,
    Rating,
    Region,
    Resource,
    Vacancy,
)
from directory.validators import validate_corporate_number, validate_local_government_code
from plans.choices import LineStatus
from plans.models import Candidate, Plan, PlanLine
from tests.helpers import shared_rows

pytestmark = pytest.mark.django_db

HOKUSHIN = {
    "202011": "長野市",
    "202070": "須坂市",
    "202118": "中野市",
    "202134": "飯山市",
    "205419": "小布施町",
    "205435": "高山村",
    "205613": "山ノ内町",
    "205621": "木島平村",
    "205630": "野沢温泉村",
    "205834": "信濃町",
    "205907": "飯綱町",
    "205885": "小川村",
    "206024": "栄村",
}
DEMO_USERS = {"planner": roles.PLANNER, "manager": roles.SERVICE_MANAGER, "coordinator": roles.COORDINATOR}


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        "resources": Resource.objects.count(),
        "organizations": Organization.objects.count(),
        "vacancies": Vacancy.objects.count(),
        "hours": OpeningHours.objects.count(),
        "fees": Fee.objects.count(),
        "resource history": Resource.history.count(),
        "organization history": Organization.history.count(),
        "vacancy history": Vacancy.history.count(),
        "municipalities": Municipality.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "plans": Plan.objects.count(),
        "plan lines": PlanLine.objects.count(),
        "candidates": Candidate.objects.count(),
        "ratings": Rating.objects.count(),
        "rating history": Rating.history.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as a developer loads it (DEBUG on), with the command's output."""
    with shared_rows(django_db_blocker, DEBUG=True):
        yield {"output": load_demo()}


def test_it_loads_the_13_municipalities_of_hokushin_as_one_region(demo):
    region = Region.objects.get(slug="hokushin")
    assert region.name == "北信圏域"
    assert dict(region.municipalities.values_list("code", "name")) == HOKUSHIN
    for municipality in region.municipalities.all():
        validate_local_government_code(municipality.code)
        assert municipality.name_kana and municipality.latitude and municipality.longitude
    nagano = Prefecture.objects.get(code="20")
    assert (nagano.name, nagano.name_kana, nagano.name_en) == ("長野県", "ながのけん", "Nagano")
    assert (nagano.latitude, nagano.longitude) == (36.651289, 138.181224)


@pytest.mark.parametrize("place", ["札幌市", "那覇市", "札幌市 中央区", "472018"])
def test_it_loads_every_municipality_of_japan_so_near_address_finds_places_outside_the_region(
    demo, client, place
):
    assert Municipality.objects.count() == 1916
    assert Prefecture.objects.count() == 47

    response = client.get("/api/v1/resources/", {"near_address": place})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0, "no demo resource stands within 10 km"


def test_it_loads_at_least_300_resources_with_the_most_in_nagano_city(demo):
    assert Resource.objects.count() >= 300
    per_municipality = dict(
        Resource.objects.values_list("municipality__code")
        .annotate(n=Count("pk"))
        .values_list("municipality__code", "n")
    )
    assert set(per_municipality) == set(HOKUSHIN)
    assert max(per_municipality, key=per_municipality.get) == "202011"
    assert per_municipality["206024"] < per_municipality["202070"]


def test_every_leaf_category_has_a_resource_that_is_not_private(demo):
    assert not Category.objects.leaves().filter(primary_resources__isnull=True).exists()
    assert not Category.objects.leaves().exclude(
        primary_resources__visibility__in=[Visibility.PUBLIC, Visibility.PROFESSIONALS]
    )
    assert not Resource.objects.exclude(kind=F("primary_category__kind")).exists()
    assert Resource.objects.filter(kind=ResourceKind.FORMAL).exists()
    assert Resource.objects.filter(kind=ResourceKind.INFORMAL).exists()


def test_identifiers_are_valid_and_a_few_offices_are_multifunction(demo):
    for number in Organization.objects.values_list("corporate_number", flat=True):
        validate_corporate_number(number)
    welfare = Category.objects.descendants_of(Category.objects.filter(slug="welfare-services"))
    offices = Resource.objects.filter(primary_category__in=welfare)
    assert not offices.filter(office_number="").exists()
    assert all(
        len(number) == 10 and number.startswith("20")
        for number in offices.values_list("office_number", flat=True)
    )
    shared = (
        Resource.objects.filter(features__slug="multifunction")
        .values("office_number")
        .annotate(categories=Count("primary_category", distinct=True))
    )
    assert len(shared) >= 3
    assert all(row["categories"] == 2 for row in shared)


def test_fees_hours_and_eligibility_fit_the_service_type(demo):
    midnight = time(0, 0)
    group_homes = Resource.objects.filter(primary_category__slug="group-home")
    assert group_homes.exists()
    for home in group_homes:
        assert Fee.objects.filter(resource=home, kind=FeeKind.FIXED, amount_yen=30000, unit="month").exists()
        hours = {(row.day_type, row.opens, row.closes, row.text) for row in home.hours.all()}
        assert hours == {(day, midnight, midnight, "00:00～24:00") for day in DayType.values}
    formal_services = Resource.objects.filter(primary_category__slug__in=["daily-life-care", "employment-b"])
    assert not formal_services.exclude(
        fees__kind=FeeKind.PUBLIC_10_PERCENT, fees__amount_yen__isnull=True
    ).exists()
    assert (
        not Resource.objects.filter(primary_category__slug="daily-life-care")
        .exclude(min_support_level=3)
        .exists()
    )
    children = Resource.objects.filter(primary_category__slug="after-school-day")
    assert set(children.values_list("min_age", "max_age", "accepts_child")) == {(6, 18, True)}
    assert not Resource.objects.filter(kind=ResourceKind.INFORMAL, capacity__isnull=False).exists()
    assert Resource.objects.filter(primary_category__slug="salon", fees__amount_yen=300).exists()
    home_visits = Resource.objects.filter(primary_category__slug="home-care")
    assert not home_visits.filter(service_area__isnull=True).exists()


def test_visibility_and_status_are_mostly_public_and_active(demo):
    resources = Resource.objects.all()
    assert resources.filter(visibility=Visibility.PUBLIC).count() > resources.count() * 0.8
    assert resources.filter(visibility=Visibility.PROFESSIONALS, kind=ResourceKind.INFORMAL).exists()
    private = resources.filter(visibility=Visibility.PRIVATE)
    assert private.exists()
    assert set(private.values_list("owner__username", flat=True)) == {"planner"}
    assert resources.filter(status=ResourceStatus.ACTIVE).count() > resources.count() * 0.8
    assert resources.filter(status=ResourceStatus.NOT_ACCEPTING).exists()
    assert resources.filter(status=ResourceStatus.SUSPENDED).exists()
    assert 1 <= resources.filter(status=ResourceStatus.CLOSED).count() <= 2


def test_some_entries_are_verified_recently_some_long_ago_and_some_never(demo):
    now = timezone.now()
    assert Resource.objects.filter(verified_at__gte=now - timedelta(days=90)).exists()
    assert Resource.objects.filter(verified_at__lt=now - timedelta(days=365)).exists()
    assert Resource.objects.filter(verified_at__isnull=True).exists()
    verified = Resource.objects.filter(verified_at__isnull=False)
    assert set(verified.values_list("verified_by__username", flat=True)) == {"coordinator"}


def test_some_vacancy_reports_are_fresh_and_some_stale(demo):
    now = timezone.now()
    fresh = Vacancy.objects.filter(as_of__gte=now - timedelta(days=30))
    assert fresh.filter(places__gt=0).exists()
    assert fresh.filter(places=0).exists()
    assert Vacancy.objects.filter(
        as_of__lte=now - timedelta(days=60), as_of__gte=now - timedelta(days=200)
    ).exists()
    assert set(Vacancy.objects.values_list("reported_by__username", flat=True)) == {"manager", "coordinator"}
    managed = Membership.objects.get(user__username="manager").organization
    assert (
        not Vacancy.objects.filter(reported_by__username="manager")
        .exclude(resource__organization=managed)
        .exists()
    )


def test_with_debug_the_demo_users_can_log_in_with_their_roles(demo, settings):
    settings.DEBUG = True
    for username, group in DEMO_USERS.items():
        user = authenticate(HttpRequest(), username=username, password=PASSWORD)  # axes needs a request
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [group]
    membership = Membership.objects.get(user__username="manager")
    assert membership.organization.name in demo["output"]
    coordinator = get_user_model().objects.get(username="coordinator")
    assert coordinator.is_staff
    assert coordinator.has_perm("directory.change_resource")
    assert not get_user_model().objects.get(username="planner").is_staff


def test_without_debug_no_users_are_created(demo, settings):
    settings.DEBUG = False
    User = get_user_model()
    demo_users = User.objects.filter(Q(username__in=DEMO_USERS) | Q(username__startswith="demo-rater-"))
    Vacancy.objects.filter(reported_by__in=demo_users).delete()
    Plan.objects.filter(owner__in=demo_users).delete()  # a plan's owner cannot be deleted under it
    demo_users.delete()  # with the private entries they own
    output = load_demo()
    assert not demo_users.exists()
    assert User.objects.count() == 0
    assert "Skipped the demo users: DEBUG is off." in output
    # Nobody is there to own private entries or to report vacancies; the rest of the catalogue stands.
    assert "private entries skipped" in output
    assert not Resource.objects.filter(visibility=Visibility.PRIVATE).exists()
    assert not Vacancy.objects.exists()
    assert Resource.objects.count() >= 300
    assert "Skipped the demo plans: no demo planner." in output and not Plan.objects.exists()


def test_the_demo_planner_has_two_invented_plans_with_lines_and_candidates(demo):
    plans = Plan.objects.filter(owner__username="planner")
    assert sorted(plans.values_list("kind", flat=True)) == ["adult", "child"]
    assert all("デモ" in plan.person_name for plan in plans)
    lines = PlanLine.objects.filter(plan__in=plans)
    assert (
        lines.count() >= 5 and lines.filter(support_kind="informal", informal_support__isnull=False).exists()
    )
    shortlisted = lines.filter(candidates__isnull=False).distinct()
    assert shortlisted.count() == 2
    assert lines.filter(status=LineStatus.DECIDED, provider__isnull=False).exists()
    assert not Candidate.objects.filter(resource__visibility=Visibility.PRIVATE).exists()
    assert "Demo plans of planner: 2 created" in demo["output"]


def test_a_second_run_changes_nothing(demo, settings):
    settings.DEBUG = True
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "Resources: 0 created, 0 updated" in output
    assert authenticate(HttpRequest(), username="planner", password=PASSWORD) is not None


def test_some_demo_entries_show_the_public_their_ratings_and_some_only_professionals(demo):
    from directory.ratings import rating_summary

    rated = Resource.objects.filter(ratings__isnull=False).distinct()
    shown = [resource for resource in rated if rating_summary(resource, public=True).shown]
    assert len(shown) >= 5
    assert 0 < len(shown) < rated.count()  # the others have 1 or 2 raters
    assert "Ratings by demo-rater-1…5:" in demo["output"]
    assert not Rating.objects.filter(user__username="planner").exists()  # the demo planner may still rate


def test_the_plan_is_the_same_every_time():
    _places, catalogue, municipalities = read_fixtures()
    first, second = DemoPlan(catalogue, municipalities), DemoPlan(catalogue, municipalities)
    assert first.resources == second.resources
    assert first.organizations == second.organizations
    assert len({plan.source_id for plan in first.resources}) == len(first.resources)
