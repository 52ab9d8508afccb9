"""export_catalogue: the public catalogue as an HSDS 3.0 data package, GeoJSON and CSV, with only the entries
anyone may see."""

import csv
import io
import json
import zipfile
from datetime import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.choices import ResourceStatus, Visibility
from directory.models import Category, Feature
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC = ["ホームサクラ", "ふれあいサロン", "地図にない家"]
# The foreign keys of the HSDS tables and the table each names.
KEYS = {
    "organization_id": "organization",
    "service_id": "service",
    "location_id": "location",
    "link_id": "service",
    "taxonomy_term_id": "taxonomy_term",
    "parent_id": "taxonomy_term",
    "taxonomy_id": "taxonomy",
    "unit_id": "unit",
}


@pytest.fixture
def catalogue():
    organization = factories.OrganizationFactory(name="社会福祉法人みどり会")
    home = factories.ResourceFactory(
        name=PUBLIC[0],
        organization=organization,
        primary_category=Category.objects.get(slug="group-home"),
        features=[Feature.objects.get(slug="transport")],
        office_number="2012345678",
        capacity=10,
        fees=[{"kind": "fixed", "amount_yen": 30000, "unit": "month", "description": "家賃"}],
    )
    factories.VacancyFactory(resource=home, places=2)
    factories.ResourceFactory(
        name=PUBLIC[1], organization=None, primary_category=Category.objects.get(slug="salon")
    )
    factories.ResourceFactory(name=PUBLIC[2], organization=organization, latitude=None, longitude=None)
    factories.ResourceFactory(name="専門職向けの家", visibility=Visibility.PROFESSIONALS)
    factories.ResourceFactory(name="近所のAさん", visibility=Visibility.PRIVATE, owner=factories.planner())
    factories.ResourceFactory(name="閉じた作業所", organization=organization, status=ResourceStatus.CLOSED)
    return home


def export(*arguments):
    out = io.StringIO()
    call_command("export_catalogue", *arguments, stdout=out)
    return out.getvalue()


def read_package(folder):
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return descriptor, {
        r["name"]: json.loads((folder / r["path"]).read_text("utf-8")) for r in descriptor["resources"]
    }


def test_the_hsds_package_lists_a_json_file_per_table_that_has_rows(catalogue, tmp_path):
    summary = export("--format", "hsds", "--output", str(tmp_path / "package"))
    assert summary.strip().startswith("3 services (") and summary.strip().endswith(
        f"written to {tmp_path / 'package'}"
    )
    descriptor, tables = read_package(tmp_path / "package")
    assert (descriptor["profile"], descriptor["hsds_version"]) == ("data-package", "3.0")
    listed = {resource["path"] for resource in descriptor["resources"]}
    assert listed | {"datapackage.json"} == {file.name for file in (tmp_path / "package").iterdir()}
    assert all(
        r["format"] == "json" and r["hsds_schema"].endswith(f"/{r['name']}.json")
        for r in descriptor["resources"]
    )
    assert {
        "organization",
        "service",
        "service_at_location",
        "location",
        "attribute",
        "taxonomy_term",
    } <= set(tables)
    assert "accessibility" not in tables  # no row, no file


def test_the_package_holds_public_open_entries_only(catalogue, tmp_path):
    export("--format", "hsds", "--output", str(tmp_path / "package"))
    _descriptor, tables = read_package(tmp_path / "package")
    assert sorted(row["name"] for row in tables["service"]) == sorted(PUBLIC)
    assert sorted(row["name"] for row in tables["location"]) == sorted(PUBLIC)
    # the organization, and the salon as its own provider; each once though two services name it
    assert sorted(row["name"] for row in tables["organization"]) == ["ふれあいサロン", "社会福祉法人みどり会"]


def test_every_key_of_the_package_names_a_row_of_it(catalogue, tmp_path):
    export("--format", "hsds", "--output", str(tmp_path / "package"))
    _descriptor, tables = read_package(tmp_path / "package")
    ids = {table: {row["id"] for row in rows} for table, rows in tables.items()}
    for table, rows in tables.items():
        assert len(ids[table]) == len(rows), table
        for row in rows:
            assert not [value for value in row.values() if isinstance(value, dict | list)], table
            for key, target in KEYS.items():
                assert key not in row or row[key] in ids[target], (table, key)
    # the terms in use and the terms above them, for parent_id
    assert {"共同生活援助", "訓練等給付", "障害福祉サービス", "送迎"} <= {
        row["name"] for row in tables["taxonomy_term"]
    }


def test_the_package_carries_the_mapping(catalogue, tmp_path):
    export("--format", "hsds", "--output", str(tmp_path / "package"))
    _descriptor, tables = read_package(tmp_path / "package")
    assert [row["identifier_type"] for row in tables["organization_identifier"]] == ["法人番号"]
    assert [row["external_identifier"] for row in tables["location"] if "external_identifier" in row] == [
        "2012345678"
    ]
    assert [(row["available"], row["maximum"]) for row in tables["service_capacity"]] == [(2, 10)]
    assert [(row["amount"], row["currency"]) for row in tables["cost_option"]] == [(30000, "JPY")]


def test_a_zip_holds_the_same_package(catalogue, tmp_path):
    export("--format", "hsds", "--output", str(tmp_path / "package.zip"))
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        assert {r["path"] for r in descriptor["resources"]} | {"datapackage.json"} == set(archive.namelist())
        assert sorted(row["name"] for row in json.loads(archive.read("services.json"))) == sorted(PUBLIC)


def test_the_package_is_written_into_a_new_or_empty_directory_only(catalogue, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not a new or empty directory"):
        export("--format", "hsds", "--output", str(tmp_path / "used"))
    assert [file.name for file in (tmp_path / "used").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("export_format", ["hsds", "csv", "geojson"])
def test_each_format_costs_as_many_queries_for_9_services_as_for_3(catalogue, tmp_path, export_format):
    def queries(name):
        with CaptureQueriesContext(connection) as context:
            export("--format", export_format, "--output", str(tmp_path / name))
        return len(context.captured_queries)

    before = queries("three")
    for _ in range(6):
        factories.ResourceFactory(
            fees=[{"kind": "free"}],
            features=[Feature.objects.get(slug="meals")],
            hours=[{"day_type": "weekday", "opens": time(9), "closes": time(17)}],
        )
    assert queries("nine") == before


def test_the_csv_is_utf8_with_a_bom_and_has_the_public_rows(catalogue, tmp_path):
    path = tmp_path / "catalogue.csv"
    summary = export("--format", "csv", "--output", str(path), "--base-url", "https://map.example.jp/")
    assert summary == f"3 rows written to {path}\n"
    content = path.read_bytes()
    assert content.startswith("\ufeff".encode())
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert header[:2] == ["名称", "よみがな"]
    assert sorted(row[0] for row in rows) == sorted(PUBLIC)
    transport, groups = header.index("送迎"), header.index("対象")
    assert {row[0]: (row[transport], row[groups]) for row in rows} == {
        "ホームサクラ": ("あり", "指定なし"),
        "ふれあいサロン": ("", "指定なし"),
        "地図にない家": ("", "指定なし"),
    }
    assert all(row[-1].startswith("https://map.example.jp/resources/") for row in rows)


def test_the_geojson_has_the_public_rows_with_a_point_and_counts_the_others(catalogue, tmp_path):
    path = tmp_path / "catalogue.geojson"
    assert export("--format", "geojson", "--output", str(path)) == f"2 features written to {path}\n"
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert sorted(feature["properties"]["name"] for feature in collection["features"]) == sorted(PUBLIC[:2])
    assert (collection["total"], collection["without_coordinates"], collection["truncated"]) == (3, 1, False)
    assert collection["features"][0]["geometry"]["coordinates"] == [138.19, 36.65]
