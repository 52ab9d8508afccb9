import csv
import io
import json
import re
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.request import Request

from api.serializers import ResourceListSerializer, ResourceRowsSerializer
from directory import geo, selectors, services
from directory.choices import Visibility
from directory.filters import ResourceFilterSet
from directory.models import Category, Feature, Resource
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_documents_every_search_parameter(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    parameters = {p["name"] for p in schema["paths"]["/api/v1/resources/"]["get"]["parameters"]}
    assert set(ResourceFilterSet.base_filters) <= parameters
    assert {"page", "page_size"} <= parameters


def test_swagger_ui_is_served_without_a_cdn(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', response.text) == []
    assert "/static/drf_spectacular_sidecar/" in response.text


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("radius_km=-1", "radius_km"),
        ("radius_km=10000", "radius_km"),
        ("near=abc", "near"),
        ("support_level=9", "support_level"),
        ("municipality=12", "municipality"),
        ("ordering=nonsense", "ordering"),
        ("has_vacancy=perhaps", "has_vacancy"),
        ("near_address=%25", "near_address"),  # a "%" of the input is not read as a format
        ("near_address=%25%28x%29s", "near_address"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, query, parameter):
    response = client.get("/api/v1/resources/?" + query)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert response.json()[parameter][0]


def test_anonymous_clients_read_public_resources_only(client):
    public = factories.ResourceFactory(name="公開の作業所")
    factories.ResourceFactory(name="専門職向けの情報", visibility=Visibility.PROFESSIONALS)
    owner = factories.planner()
    factories.ResourceFactory(name="近所のAさん", visibility=Visibility.PRIVATE, owner=owner)
    names = [row["name"] for row in client.get("/api/v1/resources/").json()["results"]]
    assert names == [public.name]
    client.force_login(owner)
    names = {row["name"] for row in client.get("/api/v1/resources/").json()["results"]}
    assert names == {"公開の作業所", "専門職向けの情報", "近所のAさん"}


def test_organizations_are_listed_to_those_who_may_see_one_of_their_entries(client):
    public = factories.ResourceFactory(name="公開の作業所").organization
    for_professionals = factories.ResourceFactory(visibility=Visibility.PROFESSIONALS).organization
    owner = factories.planner()
    # a private entry filed under an organization before the rule refused it
    private = factories.ResourceFactory(name="近所のAさん", visibility=Visibility.PRIVATE, owner=owner)
    only_private = factories.OrganizationFactory(name="私的な記録だけの法人")
    Resource.objects.filter(pk=private.pk).update(organization=only_private)
    factories.OrganizationFactory(name="資源のない法人")

    def listed():
        return {row["id"] for row in client.get("/api/v1/organizations/").json()["results"]}

    assert listed() == {public.pk}
    assert client.get(f"/api/v1/organizations/{only_private.pk}/").status_code == 404
    assert client.get(f"/api/v1/organizations/{for_professionals.pk}/").status_code == 404
    client.force_login(factories.planner())
    assert listed() == {public.pk, for_professionals.pk}
    assert client.get(f"/api/v1/organizations/{only_private.pk}/").status_code == 404
    client.force_login(owner)
    assert listed() == {public.pk, for_professionals.pk, only_private.pk}
    assert client.get(f"/api/v1/organizations/{only_private.pk}/").status_code == 200


def test_a_hidden_resource_is_a_404_to_those_who_may_not_see_it(client):
    hidden = factories.ResourceFactory(visibility=Visibility.PROFESSIONALS)
    assert client.get(f"/api/v1/resources/{hidden.pk}/").status_code == 404
    client.force_login(factories.planner())
    assert client.get(f"/api/v1/resources/{hidden.pk}/").status_code == 200


def test_page_size_goes_up_to_100(client):
    category = factories.ResourceFactory().primary_category
    Resource.objects.bulk_create(Resource(name=f"資源{n:03d}", primary_category=category) for n in range(120))
    body = client.get("/api/v1/resources/", {"page_size": 100}).json()
    assert body["count"] == 121
    assert len(body["results"]) == 100
    assert len(client.get("/api/v1/resources/", {"page_size": 1}).json()["results"]) == 1


@pytest.mark.parametrize("path", ["resources", "municipalities", "organizations", "regions"])
@pytest.mark.parametrize("page_size", ["100000", "101", "0", "-1", "abc", "1.5", "１０"])
def test_a_page_size_out_of_range_is_a_400_naming_it_not_a_quietly_smaller_page(client, path, page_size):
    factories.ResourceFactory()
    response = client.get(f"/api/v1/{path}/", {"page_size": page_size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]
    assert "100" in response.json()["page_size"][0]


def test_the_schema_says_page_size_runs_from_1_to_100(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/resources/"]["get"]["parameters"]
    page_size = next(parameter for parameter in parameters if parameter["name"] == "page_size")
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 100)


def test_the_list_costs_the_same_number_of_queries_for_5_and_25_rows(client, django_assert_num_queries):
    def list_twice_as_many(count):
        for _ in range(count):
            factories.VacancyFactory(
                resource=factories.ResourceFactory(
                    fees=[{"kind": "actual", "amount_yen": 500, "unit": "day"}]
                )
            )
        # the page's ids (all fit on it, so no COUNT), their rows joined to category, municipality,
        # organization and latest vacancy, then their fees
        with django_assert_num_queries(3):
            response = client.get("/api/v1/resources/", {"page_size": 100})
        return response.json()["count"]

    assert list_twice_as_many(5) == 5
    assert list_twice_as_many(20) == 25


def test_a_first_page_counts_up_to_first_page_ids_without_a_count_query(
    client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("directory.pagination.FIRST_PAGE_IDS", 4)
    for _ in range(4):
        factories.VacancyFactory(resource=factories.ResourceFactory(fees=[{"kind": "free"}]))
    with django_assert_num_queries(3):  # up to 5 ids, the page's rows with their joins, their fees
        body = client.get("/api/v1/resources/", {"page_size": 3}).json()
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (4, True, 3)
    factories.ResourceFactory()
    with django_assert_num_queries(4):  # 5 ids came back: more than 4, so a COUNT too
        body = client.get("/api/v1/resources/", {"page_size": 3}).json()
    assert (body["count"], len(body["results"]), body["next"] is not None) == (5, 3, True)


def test_errors_speak_the_language_of_the_request(client):
    english = client.get("/api/v1/resources/", {"radius_km": -1, "ordering": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    japanese = client.get("/api/v1/resources/", {"radius_km": -1, "ordering": "x"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert english.json()["radius_km"] == ["Enter a number from 0.1 to 100 (km)."]
    assert english.json()["ordering"][0].endswith(
        "distance, name_kana, -verified_at, -capacity, -updated_at, -rating"
    )
    assert japanese.json()["radius_km"] == ["0.1以上100以下の数で指定してください（km）。"]


def test_geojson_gives_the_same_filtered_resources_as_points_and_counts_those_without_one(client):
    group_home = Category.objects.get(slug="group-home")
    pinned = factories.ResourceFactory(name="グループホームりんご", primary_category=group_home)
    factories.ResourceFactory(
        name="グループホームなし", primary_category=group_home, latitude=None, longitude=None
    )
    factories.ResourceFactory(name="ワークセンター")
    factories.ResourceFactory(
        name="専門職向けGH", primary_category=group_home, visibility=Visibility.PROFESSIONALS
    )
    response = client.get("/api/v1/resources/", {"format": "geojson", "q": "GH"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert [feature["properties"]["name"] for feature in collection["features"]] == [pinned.name]
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [138.19, 36.65]}
    assert (collection["total"], collection["without_coordinates"], collection["truncated"]) == (2, 1, False)


def test_geojson_and_csv_answer_a_bad_parameter_with_a_400(client):
    for export_format in ("geojson", "csv"):
        response = client.get("/api/v1/resources/", {"format": export_format, "radius_km": -1})
        assert response.status_code == 400
        assert b"radius_km" in response.content


def test_a_bad_parameter_of_the_csv_export_is_answered_in_json_naming_it(client):
    response = client.get("/api/v1/resources/", {"format": "csv", "radius_km": -1})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["radius_km"]


def test_an_entry_answers_in_json_only_csv_and_geojson_export_the_list(client):
    resource = factories.ResourceFactory()

    assert client.get(f"/api/v1/resources/{resource.pk}/")["Content-Type"] == "application/json"
    for export_format in ("csv", "geojson"):
        response = client.get(f"/api/v1/resources/{resource.pk}/", {"format": export_format})
        assert response.status_code == 404, export_format


def test_an_api_address_that_names_nothing_is_a_json_404_and_other_pages_keep_theirs(client):
    for path in ("/api/v1/resources/1.5/", "/api/v1/resources/1/vacancy/extra/", "/api/nowhere"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "見つかりませんでした。"}, path

    assert client.get("/api/v1/categories").status_code == 301, "a missing slash is still added"
    page = client.get("/nowhere/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_csv_gives_every_filtered_row_with_a_bom(client):
    for n in range(25):
        factories.ResourceFactory(name=f"作業所{n:02d}")
    factories.ResourceFactory(name="センター")
    response = client.get("/api/v1/resources/", {"format": "csv", "q": "作業所"})
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("名称,よみがな")
    assert len(lines) == 26


def test_the_csv_says_hours_groups_and_transport_in_as_many_queries_for_10_rows_as_for_2(client):
    def add(count):
        for _ in range(count):
            factories.ResourceFactory(
                hours=[{"day_type": "saturday", "opens": time(10), "closes": time(15)}],
                features=[Feature.objects.get(slug="transport")],
                accepts_child=True,
            )

    def export():
        with CaptureQueriesContext(connection) as queries:
            body = b"".join(client.get("/api/v1/resources/", {"format": "csv"}).streaming_content)
        header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
        said = {tuple(row[header.index(column)] for column in ("時間", "対象", "送迎")) for row in rows}
        return len(rows), said, len(queries)

    add(2)
    rows, said, queries = export()
    assert (rows, said) == (2, {("土曜 10:00〜15:00", "障害児", "あり")})
    add(8)
    assert export() == (10, said, queries)


def test_counts_stop_at_the_count_limit_and_say_so(client, monkeypatch):
    monkeypatch.setattr("directory.pagination.COUNT_LIMIT", 5)
    monkeypatch.setattr("directory.pagination.FIRST_PAGE_IDS", 3)
    for n in range(8):
        factories.ResourceFactory(name=f"作業所{n}")
    body = client.get("/api/v1/resources/", {"page_size": 2}).json()
    assert (body["count"], body["count_is_exact"], len(body["results"])) == (5, False, 2)
    assert client.get("/api/v1/resources/", {"page_size": 2, "page": 3}).status_code == 200
    assert client.get("/api/v1/resources/", {"page_size": 2, "page": 4}).status_code == 404
    exact = client.get("/api/v1/resources/", {"page_size": 2, "q": "作業所1"}).json()
    assert (exact["count"], exact["count_is_exact"]) == (1, True)
    monkeypatch.setattr("directory.views.RESULTS_PER_PAGE", 2)
    assert "5 件以上" in client.get("/resources/").text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"places": -1}, "places"),
        ({}, "places"),
        ({"places": "many"}, "places"),
        ({"places": 1, "places_by_weekday": {"someday": 1}}, "places_by_weekday"),
        ({"places": 1, "as_of": "yesterday"}, "as_of"),
    ],
)
def test_a_bad_vacancy_report_is_a_400_naming_the_field_and_saves_nothing(client, body, field):
    resource = factories.ResourceFactory()
    client.force_login(factories.coordinator())
    response = client.post(f"/api/v1/resources/{resource.pk}/vacancy/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert resource.vacancies.count() == 0


def test_the_fast_result_rows_equal_what_the_declared_fields_give(rf):
    """ResourceRowsSerializer writes rows by hand for speed; the schema comes from the declared fields."""
    group_home = Category.objects.get(slug="group-home")
    full = factories.ResourceFactory(
        fees=[
            {"kind": "fixed", "amount_yen": 3000, "unit": "month", "description": "食費"},
            {"kind": "free"},
        ],
    )
    factories.VacancyFactory(resource=full, places=3, places_by_weekday={"mon": 1}, note="月曜のみ")
    services.resource_verify(resource=full, by=factories.coordinator())
    factories.ResourceFactory(
        primary_category=group_home, organization=None, municipality=None, latitude=None, longitude=None
    )
    resources = geo.within_radius(selectors.search_rows(Resource.objects.all()), 36.6, 138.2, 50)
    rows = list(resources) + list(selectors.search_rows(Resource.objects.filter(latitude=None)))
    context = {"request": Request(rf.get("/api/v1/resources/"))}
    fast = ResourceListSerializer(rows, many=True, context=context).data
    assert type(fast.serializer) is ResourceRowsSerializer
    by_field = [ResourceListSerializer(row, context=context).data for row in rows]
    assert len(fast) == 2 and fast[0]["distance_km"] is not None
    assert json.loads(json.dumps(fast)) == json.loads(json.dumps(by_field))
