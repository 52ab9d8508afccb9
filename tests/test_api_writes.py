"""Writes through the API: who may write what, no lost updates (ETag / If-Match), and bad bodies."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.authtoken.models import Token

from directory import services
from directory.choices import Visibility
from directory.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db

OWN = "own"  # organization A, whose service manager is one of the callers
OTHER = "other"  # organization B


@pytest.fixture
def world():
    """Two organizations with a resource each, and one caller of every kind."""
    own, other = factories.OrganizationFactory(), factories.OrganizationFactory()
    return {
        "organizations": {OWN: own, OTHER: other},
        "resources": {
            OWN: factories.ResourceFactory(organization=own, name="Aの作業所"),
            OTHER: factories.ResourceFactory(organization=other, name="Bの作業所"),
        },
        "users": {
            "anonymous": None,
            "planner": factories.planner(),
            "manager of A": factories.service_manager(own),
            "coordinator": factories.coordinator(),
        },
    }


def act_as(client, world, who):
    if world["users"][who] is not None:
        client.force_login(world["users"][who])


def etag_of(resource):
    """The ETag a client that read the entry now would hold."""
    resource.refresh_from_db()
    return f'"{services.resource_version(resource)}"'


def edit(client, resource, body, method="patch", if_match=None):
    headers = {} if if_match is None else {"If-Match": if_match}
    send = getattr(client, method)
    return send(f"/api/v1/resources/{resource.pk}/", body, content_type="application/json", headers=headers)


def full_body(resource, **changes):
    return {
        "name": resource.name,
        "primary_category": resource.primary_category.slug,
        "organization": resource.organization_id,
        **changes,
    }


WHO = ["anonymous", "planner", "manager of A", "coordinator"]


@pytest.mark.parametrize(
    ("who", "target", "expected"),
    [
        ("anonymous", OWN, 403),
        ("planner", OWN, 403),
        ("manager of A", OWN, 200),
        ("manager of A", OTHER, 403),
        ("coordinator", OWN, 200),
        ("coordinator", OTHER, 200),
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_edits_are_for_coordinators_and_the_organizations_own_managers(
    client, world, who, target, expected, method
):
    resource = world["resources"][target]
    if_match = etag_of(resource)
    act_as(client, world, who)
    response = edit(client, resource, full_body(resource, capacity=35), method=method, if_match=if_match)
    assert response.status_code == expected
    resource.refresh_from_db()
    assert resource.capacity == (35 if expected == 200 else 20)


@pytest.mark.parametrize(
    ("who", "organization", "expected"),
    [
        ("anonymous", OWN, 403),
        ("planner", OWN, 403),
        ("manager of A", OWN, 201),
        ("manager of A", OTHER, 403),
        ("coordinator", OTHER, 201),
    ],
)
def test_adding_an_entry_is_for_coordinators_and_for_managers_within_their_organization(
    client, world, who, organization, expected
):
    act_as(client, world, who)
    body = {
        "name": "新しいグループホーム",
        "primary_category": "group-home",
        "organization": world["organizations"][organization].pk,
        "capacity": 5,
    }
    response = client.post("/api/v1/resources/", body, content_type="application/json")
    assert response.status_code == expected
    assert Resource.objects.filter(name="新しいグループホーム").count() == (1 if expected == 201 else 0)
    if expected == 201:
        created = Resource.objects.get(name="新しいグループホーム")
        assert response["ETag"] and response.json()["id"] == created.pk
        assert response["Location"].endswith(f"/api/v1/resources/{created.pk}/")
        assert created.history.get().history_user == world["users"][who]


@pytest.mark.parametrize(
    ("who", "target", "expected"),
    [
        ("anonymous", OWN, 403),
        ("planner", OWN, 403),
        ("manager of A", OWN, 201),
        ("manager of A", OTHER, 403),
        ("coordinator", OTHER, 201),
    ],
)
def test_vacancy_reports_follow_the_same_rule(client, world, who, target, expected):
    act_as(client, world, who)
    resource = world["resources"][target]
    response = client.post(
        f"/api/v1/resources/{resource.pk}/vacancy/", {"places": 1}, content_type="application/json"
    )
    assert response.status_code == expected
    assert resource.vacancies.count() == (1 if expected == 201 else 0)


def test_a_manager_cannot_hand_an_entry_to_another_organization(client, world):
    resource = world["resources"][OWN]
    if_match = etag_of(resource)
    act_as(client, world, "manager of A")
    response = edit(client, resource, {"organization": world["organizations"][OTHER].pk}, if_match=if_match)
    assert response.status_code == 403
    resource.refresh_from_db()
    assert resource.organization == world["organizations"][OWN]


def test_a_planner_keeps_an_informal_support_private_to_themselves(client, world):
    act_as(client, world, "planner")
    body = {"name": "近所のBさん", "primary_category": "friends-neighbours", "visibility": "private"}
    response = client.post("/api/v1/resources/", body, content_type="application/json")
    assert response.status_code == 201
    created = Resource.objects.get(pk=response.json()["id"])
    assert (created.owner, created.kind) == (world["users"]["planner"], "informal")
    # making it public would show a neighbour to everyone: a planner may not
    refused = edit(client, created, {"visibility": "public"}, if_match=response["ETag"])
    assert refused.status_code == 403
    # and another planner does not learn it exists
    client.force_login(factories.planner())
    assert client.get(f"/api/v1/resources/{created.pk}/").status_code == 404
    assert edit(client, created, {"name": "x"}, if_match=response["ETag"]).status_code == 404


def test_a_token_authenticates_a_partner_tool(client, world):
    token = Token.objects.create(user=world["users"]["coordinator"])
    resource = world["resources"][OTHER]
    response = edit(client, resource, {"capacity": 12}, if_match=etag_of(resource))
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/resources/{resource.pk}/",
        {"capacity": 12},
        content_type="application/json",
        headers={"If-Match": etag_of(resource), "Authorization": f"Token {token.key}"},
    )
    assert response.status_code == 200


# No lost updates


def test_every_resource_response_carries_an_etag_that_changes_with_the_entry(client, world):
    resource = world["resources"][OWN]
    first = client.get(f"/api/v1/resources/{resource.pk}/")
    assert first["ETag"] == etag_of(resource)
    factories.VacancyFactory(resource=resource)
    assert client.get(f"/api/v1/resources/{resource.pk}/")["ETag"] != first["ETag"]


def test_a_client_holding_the_current_version_gets_304(client, world):
    resource = world["resources"][OWN]
    etag = etag_of(resource)
    response = client.get(f"/api/v1/resources/{resource.pk}/", headers={"If-None-Match": etag})
    assert (response.status_code, response.content) == (304, b"")


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("if_match", [None, "*"])
def test_an_edit_without_if_match_is_a_428_and_changes_nothing(client, world, method, if_match):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    response = edit(client, resource, full_body(resource, capacity=99), method=method, if_match=if_match)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    resource.refresh_from_db()
    assert (resource.capacity, resource.history.count()) == (20, 1)


def test_two_editors_cannot_overwrite_each_other(client, world):
    resource = world["resources"][OWN]
    manager, coordinator = world["users"]["manager of A"], world["users"]["coordinator"]
    read_by_both = etag_of(resource)

    client.force_login(manager)
    first = edit(client, resource, {"capacity": 25, "hours_note": "土曜は午前のみ"}, if_match=read_by_both)
    assert first.status_code == 200
    assert first["ETag"] != read_by_both

    client.force_login(coordinator)
    second = edit(client, resource, {"capacity": 30}, if_match=read_by_both)
    assert second.status_code == 412
    assert "読み込み直して" in second.json()["detail"]
    resource.refresh_from_db()
    assert (resource.capacity, resource.hours_note) == (25, "土曜は午前のみ")

    retried = edit(client, resource, {"capacity": 30}, if_match=first["ETag"])
    assert retried.status_code == 200
    resource.refresh_from_db()
    assert (resource.capacity, resource.hours_note) == (30, "土曜は午前のみ")

    newest, previous = resource.history.all()[:2]
    assert (newest.history_user, newest.capacity) == (coordinator, 30)
    assert (previous.history_user, previous.capacity) == (manager, 25)
    assert [change.field for change in newest.diff_against(previous).changes] == ["capacity"]


def test_a_vacancy_report_in_between_makes_an_edit_stale(client, world):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    read = etag_of(resource)
    factories.VacancyFactory(resource=resource)
    assert edit(client, resource, {"capacity": 30}, if_match=read).status_code == 412


@pytest.mark.parametrize("header", ['W/"{etag}"', "{etag}", '"0000", "1111"'])
def test_weak_unquoted_or_unknown_tags_do_not_match(client, world, header):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    etag = etag_of(resource).strip('"')
    assert edit(client, resource, {"capacity": 30}, if_match=header.format(etag=etag)).status_code == 412


def test_one_of_several_tags_may_match(client, world):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    header = f'"0000", {etag_of(resource)}'
    assert edit(client, resource, {"capacity": 30}, if_match=header).status_code == 200


# Bad bodies


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"capacity": "たくさん"}, "capacity"),
        ({"latitude": 95}, "latitude"),
        ({"primary_category": "no-such-kind"}, "primary_category"),
        ({"municipality": "999999"}, "municipality"),
        ({"service_area": ["12"]}, "service_area"),
        ({"features": ["flying"]}, "features"),
        ({"disability_groups": ["tall"]}, "disability_groups"),
        ({"min_support_level": 9}, "min_support_level"),
        ({"min_age": 18, "max_age": 6}, "max_age"),
        ({"office_number": "123"}, "office_number"),
        ({"website": "not a url"}, "website"),
        ({"visibility": "secret"}, "visibility"),
        ({"fees": [{"kind": "fixed", "amount_yen": -5, "unit": "month"}]}, "fees"),
        ({"hours": [{"day_type": "someday"}]}, "hours"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_edit_is_a_400_naming_the_field_and_saves_nothing(client, world, body, field):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    response = edit(client, resource, body, if_match=etag_of(resource))
    assert response.status_code == 400, response.content
    assert field in response.json()
    resource.refresh_from_db()
    assert (resource.name, resource.capacity, resource.history.count()) == ("Aの作業所", 20, 1)


def test_a_duplicate_office_number_is_a_400_and_nothing_is_created(client, world):
    existing = world["resources"][OWN]
    Resource.objects.filter(pk=existing.pk).update(office_number="2010100015")
    act_as(client, world, "coordinator")
    body = {"name": "二重", "primary_category": existing.primary_category.slug, "office_number": "2010100015"}
    response = client.post("/api/v1/resources/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Resource.objects.filter(name="二重").exists()


def test_a_put_needs_the_whole_entry_and_malformed_json_is_a_400(client, world):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    response = edit(client, resource, {"capacity": 3}, method="put", if_match=etag_of(resource))
    assert response.status_code == 400
    assert set(response.json()) == {"name", "primary_category"}
    response = client.patch(
        f"/api/v1/resources/{resource.pk}/",
        "{not json",
        content_type="application/json",
        headers={"If-Match": etag_of(resource)},
    )
    assert response.status_code == 400


def test_an_edit_replaces_fees_hours_lists_and_eligibility(client, world):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    body = {
        "fees": [{"kind": "fixed", "amount_yen": 3000, "unit": "month", "description": "昼食代"}],
        "hours": [{"day_type": "weekday", "opens": "09:00", "closes": "16:00"}],
        "disability_groups": ["intellectual", "developmental"],
        "features": [],
        "categories": ["group-home"],
    }
    response = edit(client, resource, body, if_match=etag_of(resource))
    assert response.status_code == 200, response.content
    entry = response.json()
    assert entry["monthly_fee_yen"] == 3000
    assert entry["hours"] == [{"day_type": "weekday", "opens": "09:00:00", "closes": "16:00:00", "text": ""}]
    assert entry["disability_groups"] == ["intellectual", "developmental"]
    assert entry["categories"] == ["group-home"]
    assert client.get("/api/v1/resources/", {"disability": "mental"}).json()["count"] == 1  # only B's
    assert client.get("/api/v1/resources/", {"fee_max": 3000}).json()["count"] == 1


def test_unknown_ids_are_404_and_there_is_no_delete(client, world):
    act_as(client, world, "coordinator")
    assert edit(client, Resource(pk=987654), {"capacity": 1}, if_match='"x"').status_code == 404
    resource = world["resources"][OWN]
    assert client.delete(f"/api/v1/resources/{resource.pk}/").status_code == 405


def test_the_schema_documents_the_writes_and_if_match(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    item = schema["paths"]["/api/v1/resources/{id}/"]
    assert {"get", "put", "patch"} <= set(item) and "delete" not in item
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in item["patch"]["parameters"])
    assert "post" in schema["paths"]["/api/v1/resources/"]


@pytest.mark.parametrize("who", WHO)
def test_professional_and_private_entries_stay_hidden_from_those_who_may_not_see_them(client, world, who):
    hidden = factories.ResourceFactory(visibility=Visibility.PROFESSIONALS, organization=None)
    act_as(client, world, who)
    expected = {"anonymous": 403, "planner": 403, "manager of A": 403, "coordinator": 200}[who]
    response = edit(client, hidden, {"capacity": 1}, if_match=etag_of(hidden))
    assert response.status_code == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a server database; SQLite's test database is in memory",
)
def test_two_simultaneous_edits_of_one_version_let_exactly_one_through(transactional_db, monkeypatch):
    """Both editors read the same version and write at the same moment: the row lock makes the second wait
    for the first, then see that the version moved on. (Without the lock both would pass the check.)"""
    resource = factories.ResourceFactory(capacity=20)
    version = services.resource_version(resource)
    both_checked = threading.Barrier(2)
    real_version = services.resource_version

    def version_then_wait(row):
        found = real_version(row)
        try:
            both_checked.wait(timeout=1)  # the second editor is held at the lock, so this times out
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(services, "resource_version", version_then_wait)
    outcomes = []

    def edit_capacity(capacity):
        try:
            services.resource_update(resource=resource, expected_versions={version}, capacity=capacity)
            outcomes.append(capacity)
        except services.EditConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    editors = [threading.Thread(target=edit_capacity, args=(capacity,)) for capacity in (30, 40)]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join()
    resource.refresh_from_db()
    assert sorted(outcomes, key=str) == sorted([resource.capacity, "conflict"], key=str)
    assert resource.history.count() == 2


def test_the_conflict_speaks_the_language_of_the_request(client, world):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    response = client.patch(
        f"/api/v1/resources/{resource.pk}/",
        {"capacity": 30},
        content_type="application/json",
        headers={"If-Match": '"stale"', "Accept-Language": "en"},
    )
    assert response.status_code == 412
    assert response.json()["detail"].startswith("Someone else changed this entry")


DEEP = 5000


@pytest.mark.parametrize("opening", ["[", '{"a":'])
@pytest.mark.parametrize("endpoint", ["create", "edit", "vacancy"])
def test_a_body_nested_thousands_deep_is_a_400(client, world, opening, endpoint):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    closing = "]" if opening == "[" else "}"
    body = opening * DEEP + "1" + closing * DEEP
    path, method, headers = {
        "create": ("/api/v1/resources/", client.post, {}),
        "edit": (f"/api/v1/resources/{resource.pk}/", client.patch, {"If-Match": etag_of(resource)}),
        "vacancy": (f"/api/v1/resources/{resource.pk}/vacancy/", client.post, {}),
    }[endpoint]
    response = method(path, body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "入れ子" in response.json()["detail"]
    assert Resource.objects.count() == 2 and resource.history.count() == 1
    assert not resource.vacancies.exists()


@pytest.mark.parametrize(
    "as_of",
    [
        "9999-12-31",
        "9999-12-31T23:59:59-12:00",
        "0774-05-01T09:00:00+09:00",
        "0001-01-01",
        "1999-12-31T23:59:59+09:00",
        "{tomorrow_and_an_hour}",
    ],
)
def test_a_vacancy_report_dated_in_the_future_or_before_2000_is_a_400_naming_as_of(client, world, as_of):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    as_of = as_of.format(tomorrow_and_an_hour=(timezone.now() + timedelta(days=1, hours=1)).isoformat())
    response = client.post(
        f"/api/v1/resources/{resource.pk}/vacancy/",
        {"places": 1, "as_of": as_of},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["as_of"]
    assert not resource.vacancies.exists()
    resource.refresh_from_db()
    assert resource.latest_vacancy is None


def test_a_vacancy_report_from_2000_up_to_a_day_ahead_is_accepted(client, world):
    resource = world["resources"][OWN]
    act_as(client, world, "coordinator")
    for as_of in ["2000-01-01T00:00:00+09:00", (timezone.now() + timedelta(hours=23)).isoformat()]:
        response = client.post(
            f"/api/v1/resources/{resource.pk}/vacancy/",
            {"places": 1, "as_of": as_of},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    assert resource.vacancies.count() == 2


@pytest.mark.parametrize(
    ("who", "organization", "expected"),
    [
        ("planner", OWN, 400),
        ("manager of A", OTHER, 400),
        ("coordinator", OWN, 400),
        ("manager of A", OWN, 201),
        ("planner", None, 201),
    ],
)
def test_a_private_entry_stands_only_under_an_organization_its_author_belongs_to(
    client, world, who, organization, expected
):
    act_as(client, world, who)
    body = {"name": "近所のBさん", "primary_category": "friends-neighbours", "visibility": "private"}
    if organization is not None:
        body["organization"] = world["organizations"][organization].pk
    response = client.post("/api/v1/resources/", body, content_type="application/json")
    assert response.status_code == expected, response.content
    if expected == 400:
        assert list(response.json()) == ["organization"]
    assert Resource.objects.filter(name="近所のBさん").count() == (1 if expected == 201 else 0)


def test_a_planner_cannot_move_their_private_entry_under_an_organization(client, world):
    act_as(client, world, "planner")
    body = {"name": "近所のBさん", "primary_category": "friends-neighbours", "visibility": "private"}
    created = client.post("/api/v1/resources/", body, content_type="application/json")
    entry = Resource.objects.get(pk=created.json()["id"])
    response = edit(client, entry, {"organization": world["organizations"][OWN].pk}, if_match=created["ETag"])
    assert response.status_code == 400
    assert list(response.json()) == ["organization"]
    entry.refresh_from_db()
    assert entry.organization is None
