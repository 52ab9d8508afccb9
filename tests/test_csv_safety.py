"""Text people typed never becomes a formula in a spreadsheet: every CSV the project writes (the search
page's download, the API's ?format=csv, export_catalogue --format csv, and the API's CSV rendering of any
other body) passes each cell through directory.exports.spreadsheet_safe, OWASP's rule for CSV injection."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from directory.exports import spreadsheet_safe
from tests import factories

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\tX", "\rX", "＝1+1"]
PHONE = "+81-26-234-5678"


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_would_start_a_formula_is_quoted(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        *(PHONE, "-2", "+3", "-2 (3)", "026-234-5678", "(026) 234 5678", "北信"),
        *(20, -3, 1.5, -0.5, Decimal("-7.25")),
    ],
)
def test_numbers_and_phone_numbers_stay_as_they_are(value):
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize("text", ["-1e3", "+1-SUM(A1)", "-A1", "-(1)", "-", "+", "+81 3 1234 5678 ext=1"])
def test_anything_beyond_digits_spaces_brackets_and_hyphens_is_quoted(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.fixture
def dangerous_entries():
    return [factories.ResourceFactory(name=name, phone=PHONE, capacity=20) for name in DANGEROUS]


def rows_of(text):
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def assert_every_name_is_quoted(rows):
    header, *rows = rows
    name, phone, capacity = header.index("名称"), header.index("電話番号"), header.index("定員")
    assert sorted(row[name] for row in rows) == sorted("'" + text for text in DANGEROUS)
    assert {row[phone] for row in rows} == {PHONE}
    assert {row[capacity] for row in rows} == {"20"}


def test_the_search_pages_download(client, dangerous_entries):
    response = client.get("/resources/export.csv")
    assert response.status_code == 200
    assert_every_name_is_quoted(rows_of(b"".join(response.streaming_content).decode()))


def test_the_api_csv(client, dangerous_entries):
    response = client.get("/api/v1/resources/", {"format": "csv"})
    assert response.status_code == 200
    assert_every_name_is_quoted(rows_of(b"".join(response.streaming_content).decode()))


def test_export_catalogue(tmp_path, dangerous_entries):
    path = tmp_path / "catalogue.csv"
    call_command("export_catalogue", "--format", "csv", "--output", str(path), stdout=io.StringIO())
    with path.open(encoding="utf-8", newline="") as file:
        assert_every_name_is_quoted(rows_of(file.read()))


@pytest.mark.parametrize("text", DANGEROUS)
def test_the_api_csv_of_an_error_is_json_never_a_spreadsheet_cell(client, text):
    """A 400 repeats the value sent: it is answered in JSON, as the OpenAPI document says, so no
    spreadsheet ever reads the value as a formula."""
    response = client.get("/api/v1/resources/", {"format": "csv", "ordering": f"a,{text}"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert text in response.json()["ordering"][0]


@pytest.mark.parametrize("text", DANGEROUS)
def test_one_entry_is_not_offered_as_csv(client, text):
    """CSV is a list's export; an entry's address with ?format=csv names nothing (one way for the data)."""
    resource = factories.ResourceFactory(name=text, phone=PHONE)
    assert client.get(f"/api/v1/resources/{resource.pk}/", {"format": "csv"}).status_code == 404
