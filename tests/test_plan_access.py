"""Only the owner and the colleagues a plan is shared with see it, in HTML and in the API; everyone else,
other planners, service managers, coordinators and anonymous users, gets 404. Every view is logged."""

import json
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from directory.models import Category
from plans import services
from plans.models import Plan, PlanView
from tests import factories

pytestmark = pytest.mark.django_db

OUTSIDERS = ("other planner", "service manager", "coordinator", "anonymous")


@pytest.fixture
def plan():
    plan = factories.plan(person_name="秘密のＫ", latitude=36.65, longitude=138.19)
    grandmother = services.informal_support_add(plan=plan, by=plan.owner, name="となりの佐藤ばあちゃん")
    line = factories.plan_line(plan)
    factories.plan_line(
        plan, support_kind="informal", category=None, informal_support=grandmother, need="見守り"
    )
    services.candidate_add(line=line, resource=factories.ResourceFactory(), by=plan.owner)
    services.monitoring_record(plan=plan, by=plan.owner, overall="順調", outcome="continue")
    return plan


def outsider(role):
    if role == "other planner":
        return factories.planner()
    if role == "service manager":
        return factories.service_manager(factories.OrganizationFactory())
    if role == "coordinator":
        return factories.coordinator(is_staff=True)
    return None


def plan_urls(plan):
    line = plan.lines.first()
    return [
        reverse("plans:plan-detail", args=[plan.pk]),
        reverse("plans:plan-edit", args=[plan.pk]),
        reverse("plans:week", args=[plan.pk]),
        reverse("plans:line-create", args=[plan.pk]),
        reverse("plans:informal-create", args=[plan.pk]),
        reverse("plans:monitoring-create", args=[plan.pk]),
        reverse("plans:monitoring-detail", args=[plan.monitorings.get().pk]),
        reverse("plans:line-edit", args=[line.pk]),
        reverse("plans:line-find", args=[line.pk]),
        reverse("plans:line-compare", args=[line.pk]),
        reverse("mapviews:plan-map", args=[plan.pk]),
    ]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_for_every_page_of_a_plan_not_shared_with_them(client, plan, role):
    user = outsider(role)
    if user:
        client.force_login(user)
    for url in plan_urls(plan):
        assert client.get(url).status_code == 404, url
    candidate = plan.lines.first().candidates.get()
    for url in (
        reverse("plans:candidate-choose", args=[candidate.pk]),
        reverse("plans:inquiry-send", args=[candidate.line_id]),
        reverse("plans:plan-share", args=[plan.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert not PlanView.objects.exists()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_for_a_plan_in_the_api_and_do_not_find_it_in_the_list(plan, role):
    api = APIClient()
    user = outsider(role)
    if user:
        api.force_authenticate(user)
    url = reverse("api:plan-detail", args=[plan.pk])
    assert api.get(url).status_code == 404
    assert api.patch(url, {"person_name": "X"}, format="json").status_code == 404
    listing = api.get(reverse("api:plan-list"))
    assert "秘密" not in listing.content.decode()
    assert not PlanView.objects.exists()
    plan.refresh_from_db()
    assert plan.person_name == "秘密のＫ"


def test_a_colleague_it_is_shared_with_reads_it_and_edits_only_when_allowed(client, plan):
    reader, editor = factories.planner(), factories.planner()
    services.plan_share(plan=plan, by=plan.owner, user=reader)
    services.plan_share(plan=plan, by=plan.owner, user=editor, can_edit=True)
    client.force_login(reader)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(reverse("plans:plan-edit", args=[plan.pk])).status_code == 403
    api = APIClient()
    api.force_authenticate(reader)
    assert (
        api.patch(reverse("api:plan-detail", args=[plan.pk]), {"policy": "x"}, format="json").status_code
        == 403
    )
    api.force_authenticate(editor)
    response = api.patch(
        reverse("api:plan-detail", args=[plan.pk]), {"policy": "本人のペースで"}, format="json"
    )
    assert response.status_code == 200 and response.json()["policy"] == "本人のペースで"
    client.force_login(editor)
    assert client.get(reverse("plans:plan-edit", args=[plan.pk])).status_code == 200


def test_every_view_of_a_plan_is_logged_with_who_and_when(client, plan):
    client.force_login(plan.owner)
    client.get(plan.get_absolute_url())
    client.get(reverse("plans:week", args=[plan.pk]))
    api = APIClient()
    api.force_authenticate(plan.owner)
    api.get(reverse("api:plan-detail", args=[plan.pk]))
    api.get(reverse("api:plan-list"))
    views = PlanView.objects.filter(plan=plan, user=plan.owner)
    assert sorted(views.values_list("page", flat=True)) == ["api", "api", "plan", "week"]
    assert all(view.viewed_at.date() == date.today() for view in views)


def test_the_api_creates_a_plan_for_a_planner_and_names_each_bad_field(plan):
    api = APIClient()
    planner = factories.planner()
    api.force_authenticate(planner)
    body = {"person_name": "M・N", "birth_year": 2001, "municipality": plan.municipality.code,
            "income_bracket": "low", "disability_groups": ["mental"]}  # fmt: skip
    response = api.post(reverse("api:plan-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["monthly_cap_yen"] == 0 and response.json()["owner"] == planner.username
    bad = api.post(
        reverse("api:plan-list"),
        {**body, "birth_year": 1800, "kind": "child", "disability_groups": ["x"]},
        format="json",
    )
    assert bad.status_code == 400
    assert {"disability_groups"} <= set(bad.json())
    bad = api.post(reverse("api:plan-list"), {**body, "birth_year": 1800}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"birth_year"}
    bad = api.post(reverse("api:plan-list"), {**body, "kind": "child"}, format="json")  # the model's rule
    assert bad.status_code == 400 and set(bad.json()) == {"guardian_name"}
    assert Plan.objects.filter(owner=planner).count() == 1
    api.force_authenticate(factories.coordinator())
    assert api.post(reverse("api:plan-list"), body, format="json").status_code == 403


def test_no_plan_data_or_private_informal_support_reaches_the_public_map_api_or_anyone_s_search(client, plan):
    everyone = [None, factories.planner(), factories.coordinator(), plan.owner]
    for user in everyone:
        client.logout()
        if user:
            client.force_login(user)
        for url in (
            reverse("mapviews:resource-map"),
            reverse("directory:resource-search") + "?q=佐藤",
            reverse("directory:resource-search") + "?kind=informal",
            reverse("api:resource-list") + "?kind=informal",
            reverse("api:resource-list") + "?format=geojson",
            "/api/hsda/services",
        ):
            text = client.get(url).content.decode()
            assert "佐藤ばあちゃん" not in text and "秘密のＫ" not in text, (user, url)
    assert json.loads(client.get(reverse("api:resource-list")).content)["count"] >= 1
    assert Category.objects.exists()
