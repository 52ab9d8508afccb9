"""The coordinator's open-data import page (/coordinator/imports/): the real-format samples uploaded through
the test client, and what a coordinator reads back. Expected numbers come from the samples themselves."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.choices import Source
from directory.forms import IMPORT_MAX_MEGABYTES
from directory.importers import opendata
from directory.models import Organization, Resource
from tests import factories
from tests.helpers import areas_of_japan, sign_in_as

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
WAM_SAMPLE = DATA / "wam-sample.csv"
KAIGO_SAMPLE = DATA / "kaigo-sample.csv"
URL = "/coordinator/imports/"
DATE = date(2025, 9, 30)


@pytest.fixture(scope="module", autouse=True)
def municipalities(django_db_setup, django_db_blocker):
    with areas_of_japan(django_db_blocker):
        yield


@pytest.fixture
def coordinator(client):
    user = factories.coordinator()
    client.force_login(user)
    return user


def sample_rows(path):
    """(header, rows) of a sample as lists of cells."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = csv.reader(file)
    return header, rows


def csv_bytes(header, rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def upload(client, content, *, name="wam.csv", format="wam", dry_run=False, when=DATE):
    data = {
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        "format": format,
        "date": when.isoformat(),
    }
    if dry_run:
        data["dry_run"] = "on"
    return client.post(URL, data)


def counts(response) -> dict[str, int]:
    """The resource counts the report shows, by their data-count key."""
    found = re.findall(r'data-count="(\w+)">(\d+)<', response.text)
    assert found, response.text
    return {key: int(number) for key, number in found}


def problem_rows(response, table_id) -> list[list[str]]:
    """The cells (line, column, value, reason) of a problem table, as text."""
    table = re.search(rf'<table class="import-problems" id="{table_id}">(.*?)</table>', response.text, re.S)
    assert table, response.text
    rows = re.findall(r"<tr data-line=.*?</tr>", table[1], re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows
    ]


def search_results(client, text) -> list[int]:
    """The ids of the entries the search page lists for a text."""
    response = client.get("/resources/", {"q": text})
    return [int(pk) for pk in re.findall(r'<li class="result card" data-resource-id="(\d+)"', response.text)]


def form_errors(response) -> str:
    return " ".join(re.findall(r'<ul class="errorlist">(.*?)</ul>', response.text, re.S))


# ---------------------------------------------------------------- the form


def test_the_coordinators_home_links_to_the_page_and_the_form_checks_first_by_default(client, coordinator):
    assert reverse("directory:open-data-import") == URL
    assert f'href="{URL}"' in client.get("/").text

    response = client.get(URL)

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert re.search(r'<input type="checkbox" name="dry_run"[^>]* checked', response.text)
    assert f'value="{timezone.localdate().isoformat()}"' in response.text
    assert "WAM NET 障害福祉サービス等情報公表" in response.text and "介護サービス情報公表" in response.text


def test_the_page_reads_in_english_too(client, coordinator):
    response = client.post(
        URL,
        {
            "file": SimpleUploadedFile("wam.csv", WAM_SAMPLE.read_bytes()),
            "format": "wam",
            "date": "2025-09-30",
        }
        | {"dry_run": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Checked only. Nothing has been saved yet." in response.text
    assert '<th scope="col">Updated</th>' in response.text
    assert "確認だけ" not in response.text


# ---------------------------------------------------------------- dry run and import


def test_a_dry_run_shows_what_would_be_imported_and_saves_nothing(client, coordinator):
    _, rows = sample_rows(WAM_SAMPLE)
    before = Resource.objects.count(), Organization.objects.count()

    response = upload(client, WAM_SAMPLE.read_bytes(), dry_run=True)

    assert response.status_code == 200
    assert counts(response) == {
        "created": len(rows),
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "warnings": 0,
    }
    assert "確認だけ行いました。まだ何も保存していません。" in response.text
    assert (Resource.objects.count(), Organization.objects.count()) == before
    # The next step: the same file again, for real (the box now unchecked, format and date kept).
    assert 'id="import-for-real"' in response.text and "同じファイルをもう一度選び" in response.text
    assert not re.search(r'<input type="checkbox" name="dry_run"[^>]* checked', response.text)
    assert re.search(r'<input type="radio" name="format" value="wam"[^>]* checked', response.text)
    assert f'value="{DATE.isoformat()}"' in response.text


def test_an_import_creates_the_entries_found_by_the_search_and_names_the_coordinator(client, coordinator):
    header, rows = sample_rows(WAM_SAMPLE)
    name = rows[0][header.index("事業所の名称")]
    assert search_results(client, name) == []

    response = upload(client, WAM_SAMPLE.read_bytes(), name="wam-sample.csv")

    assert response.status_code == 200
    assert "取り込みました。" in response.text and "保存していません" not in response.text
    assert counts(response)["created"] == len(rows)
    assert Resource.objects.filter(source=Source.WAM).count() == len(rows)
    resource = Resource.objects.get(name=name)
    assert search_results(client, name) == [resource.pk]
    assert resource.source_date == DATE
    assert resource.history.get().history_user == coordinator
    # The report as the command prints it, the file under the name it was sent with.
    assert f"wam-sample.csv: UTF-8（BOM付き）として読みました（{len(rows)}行）" in response.text

    again = upload(client, WAM_SAMPLE.read_bytes())

    assert counts(again) == {"created": 0, "updated": 0, "unchanged": len(rows), "skipped": 0, "warnings": 0}


def test_a_kaigo_file_imports_under_its_own_format(client, coordinator):
    response = upload(client, KAIGO_SAMPLE.read_bytes(), name="jigyosho_110.csv", format="kaigo")

    assert response.status_code == 200
    assert counts(response)["created"] == Resource.objects.filter(source=Source.KAIGO).count() > 0
    assert "介護サービス情報公表" in response.text


def test_an_entry_missing_from_a_newer_file_is_counted_as_flagged(client, coordinator):
    header, rows = sample_rows(WAM_SAMPLE)
    upload(client, csv_bytes(header, rows))
    # An office of a service type the newer file still holds (only those types are compared).
    service_type, name = header.index("サービス種別"), header.index("事業所の名称")
    dropped = next(row for row in rows if row[service_type] == "生活介護")

    response = upload(
        client, csv_bytes(header, [row for row in rows if row is not dropped]), when=date(2026, 3, 31)
    )

    assert Resource.objects.get(missing_from_source_since__isnull=False).name == dropped[name]
    assert re.search(r'id="flagged-missing">[^<]*: 1件', response.text)


def test_a_bad_row_is_shown_with_its_line_and_column_and_the_other_rows_are_imported(client, coordinator):
    header, rows = sample_rows(WAM_SAMPLE)
    column = header.index("事業所番号")
    rows[2][column] = "12345"  # line 4 (the header is line 1)

    response = upload(client, csv_bytes(header, rows), name="broken.csv")

    assert response.status_code == 200
    assert counts(response)["skipped"] == 1
    assert problem_rows(response, "skipped-rows") == [
        ["4", "事業所番号", "12345", "事業所番号（10桁の数字）ではありません"]
    ]
    assert Resource.objects.filter(source=Source.WAM).count() == len(rows) - 1
    assert (
        "broken.csv 4行目 列「事業所番号」 = &#x27;12345&#x27;: 事業所番号（10桁の数字）ではありません"
        "（この行は読み飛ばしました）" in response.text
    )


def test_the_reasons_of_bad_rows_read_in_english_on_the_english_page(client, coordinator):
    header, rows = sample_rows(WAM_SAMPLE)
    rows[2][header.index("事業所番号")] = "12345"  # line 4 (the header is line 1)
    rows[3][header.index("事業所緯度")] = "北緯36度"  # line 5: a warning, the row imported

    response = client.post(
        URL,
        {
            "file": SimpleUploadedFile("broken.csv", csv_bytes(header, rows)),
            "format": "wam",
            "date": DATE.isoformat(),
            "dry_run": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert problem_rows(response, "skipped-rows") == [
        ["4", "事業所番号", "12345", "not a 事業所番号 (10 digits)"]
    ]
    assert problem_rows(response, "warning-rows") == [
        ["5", "事業所緯度", "北緯36度", "not a number; the point is left blank"]
    ]
    # The command's text under the fold, in English too.
    assert (
        "broken.csv, line 4, column 事業所番号 = &#x27;12345&#x27;: "
        "not a 事業所番号 (10 digits) (row skipped)" in response.text
    )
    assert f"broken.csv: read as UTF-8 with BOM, {len(rows)} rows" in response.text
    assert "Flagged missing from source: 0" in response.text
    assert "ではありません" not in response.text and "読み飛ばし" not in response.text


# ---------------------------------------------------------------- files that cannot be used


@pytest.mark.parametrize(
    ("name", "content", "format", "message"),
    [
        # A spreadsheet saved as .xlsx (a zip): neither UTF-8 nor CP932 (0x81 followed by 0x00).
        (
            "list.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x81\x00",
            "wam",
            "UTF-8でもCP932（Shift_JIS）でもない文字です",
        ),
        (
            "jigyosho_110.csv",
            KAIGO_SAMPLE.read_bytes(),
            "wam",
            "WAM NET 障害福祉サービスのオープンデータのファイルではありません",
        ),
        ("wam.csv", WAM_SAMPLE.read_bytes(), "kaigo", "見出しに24列のうち"),
        ("header-only.csv", b"\r\n", "wam", "あった見出し: （空のファイル）"),
    ],
)
def test_a_file_that_is_not_of_the_format_is_refused_on_the_form_and_nothing_is_saved(
    client, coordinator, name, content, format, message
):
    before = Resource.objects.count(), Organization.objects.count()

    response = upload(client, content, name=name, format=format)

    assert response.status_code == 400
    errors = form_errors(response)
    assert "このファイルは取り込めません（何も保存していません）" in errors
    assert message in errors and name in errors
    assert 'id="import-report"' not in response.text
    assert (Resource.objects.count(), Organization.objects.count()) == before


def test_a_file_above_the_size_limit_is_a_form_error(client, coordinator):
    header, _ = sample_rows(WAM_SAMPLE)
    content = csv_bytes(header, []) + b"\r\n" * (IMPORT_MAX_MEGABYTES * 1024 * 1024 // 2)

    response = upload(client, content)

    assert response.status_code == 400
    assert f"{IMPORT_MAX_MEGABYTES} MBまでです" in form_errors(response)
    assert Resource.objects.count() == 0


def test_a_form_without_a_file_or_a_date_names_what_is_missing(client, coordinator):
    response = client.post(URL, {"format": "wam", "date": "", "dry_run": "on"})

    assert response.status_code == 400
    assert 'id="field-file"' in response.text and "has-error" in response.text
    assert form_errors(response).count("この項目は必須です。") == 2


def test_an_empty_file_is_refused_on_the_form(client, coordinator):
    response = upload(client, b"", name="empty.csv")

    assert response.status_code == 400
    assert "添付ファイルの中身が空でした。" in form_errors(response)


def test_an_import_stopped_by_an_error_leaves_the_catalogue_as_it_was(client, coordinator, monkeypatch):
    """The run is one transaction: rows already written by earlier batches are rolled back too."""
    monkeypatch.setattr(opendata, "BATCH_SIZE", 5)
    written = []

    def failing_flag_missing(self):
        written.append(Resource.objects.count())
        raise RuntimeError("the database went away")

    monkeypatch.setattr(opendata.Importer, "flag_missing", failing_flag_missing)
    before = Resource.objects.count(), Organization.objects.count(), Resource.history.count()

    response = upload(client, WAM_SAMPLE.read_bytes())

    assert written and written[0] > before[0]  # batches had been written before the error
    assert response.status_code == 500
    assert "この取り込みでは何も保存していません" in response.text
    assert (Resource.objects.count(), Organization.objects.count(), Resource.history.count()) == before


# ---------------------------------------------------------------- who may import


@pytest.mark.parametrize("role", ["anonymous", "planner", "manager"])
def test_only_coordinators_may_import(client, role):
    sign_in_as(client, role)

    responses = [client.get(URL), upload(client, WAM_SAMPLE.read_bytes())]

    for response in responses:
        if role == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code == 403
    assert Resource.objects.count() == 0


def test_an_upload_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.coordinator())

    response = upload(client, WAM_SAMPLE.read_bytes())

    assert response.status_code == 403
    assert Resource.objects.count() == 0


def test_an_import_whose_statistics_refresh_fails_is_reported_as_saved(client, coordinator, monkeypatch):
    """ANALYZE runs after the commit: its failure is logged, and the page does not say nothing was saved."""

    def failing_analyze():
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(opendata, "refresh_planner_statistics", failing_analyze)

    response = upload(client, WAM_SAMPLE.read_bytes())

    assert response.status_code == 200
    assert "取り込みました。" in response.text
    assert Resource.objects.filter(source=Source.WAM).count() == counts(response)["created"] > 0
