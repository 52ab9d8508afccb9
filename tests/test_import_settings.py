"""The open-data imports work under every setting: with DEBUG on (as `make run` has it) Django logs each
statement through its debug cursor, which must read the statements the bulk writes send."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from directory.choices import Source
from directory.importers import kaigo, wam
from directory.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_cursor():
    """DEBUG on, and the debug cursor Django picks per connection when DEBUG is on (a test connection was
    opened before the setting changed)."""
    with override_settings(DEBUG=True):
        forced, connection.force_debug_cursor = connection.force_debug_cursor, True
        try:
            yield connection
        finally:
            connection.force_debug_cursor = forced


@pytest.fixture
def town():
    return factories.MunicipalityFactory(name="テスト市", latitude=36.65, longitude=138.19)


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def wam_row(town, number, **cells):
    row = dict.fromkeys(wam.COLUMNS, "")
    row.update(
        {
            wam.CODE: town.code,
            wam.NO: str(number),
            wam.ORG_NAME: "社会福祉法人テスト会",
            wam.SERVICE_TYPE: "生活介護",
            wam.NAME: f"テスト作業所{number}",
            wam.OFFICE_NUMBER: f"20100000{number:02d}",
            wam.CITY: "テスト市",
            wam.STREET: f"本町{number}-1",
            wam.LATITUDE: "36.65",
            wam.LONGITUDE: "138.19",
            wam.HOURS_WEEKDAY: "09:00～17:00",
            wam.CAPACITY: "20",
        }
    )
    row.update(cells)
    return [row[column] for column in wam.COLUMNS]


def kaigo_row(town, number):
    row = dict.fromkeys(kaigo.COLUMNS, "")
    row.update(
        {
            kaigo.COLUMNS[0]: town.code,
            "No": str(number),
            "都道府県名": "長野県",
            "市区町村名": "テスト市",
            "事業所名": f"テストデイサービス{number}",
            "サービスの種類": "通所介護",
            "住所": f"長野県テスト市本町{number}",
            "緯度": "36.65",
            "経度": "138.19",
            "法人の名称": "株式会社テスト",
            "事業所番号": f"20700000{number:02d}",
            "利用可能曜日": "平日,土曜日",
            "定員": "30",
        }
    )
    return [row[column] for column in kaigo.COLUMNS]


IMPORTS = {
    # command: (its columns, a row, the file's name, the source, the name of row n, a day type the rows give)
    "import_wam": (wam.COLUMNS, wam_row, "wam.csv", Source.WAM, "テスト作業所{}", "weekday"),
    "import_kaigo": (
        kaigo.COLUMNS,
        kaigo_row,
        "jigyosho_150.csv",
        Source.KAIGO,
        "テストデイサービス{}",
        "saturday",
    ),
}


@pytest.mark.parametrize("command", IMPORTS)
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_an_import_writes_every_row_whether_debug_is_on_or_off(request, tmp_path, town, command, debug):
    if debug:
        request.getfixturevalue("debug_cursor")
    columns, row, filename, source, name, day_type = IMPORTS[command]
    path = write_csv(tmp_path / filename, columns, [row(town, n) for n in range(1, 4)])
    out = StringIO()
    call_command(command, str(path), "--date", "2026-01-31", stdout=out, stderr=StringIO())
    assert "新規 3、" in out.getvalue()
    imported = Resource.objects.filter(source=source)
    assert sorted(imported.values_list("name", flat=True)) == [name.format(n) for n in range(1, 4)]
    assert all(resource.history.count() == 1 for resource in imported)
    assert imported.filter(hours__day_type=day_type).count() == 3


def test_a_second_import_under_debug_updates_what_changed(debug_cursor, tmp_path, town):
    """The update path (bulk UPDATE, children replaced, history rows) under the debug cursor too."""
    first = write_csv(tmp_path / "first.csv", wam.COLUMNS, [wam_row(town, 1), wam_row(town, 2)])
    call_command("import_wam", str(first), "--date", "2026-01-31", stdout=StringIO(), stderr=StringIO())
    second = write_csv(
        tmp_path / "second.csv", wam.COLUMNS, [wam_row(town, 1, **{wam.CAPACITY: "25"}), wam_row(town, 2)]
    )
    out = StringIO()
    call_command("import_wam", str(second), "--date", "2026-02-28", stdout=out, stderr=StringIO())
    assert "新規 0、更新 1、変更なし 1" in out.getvalue()
    assert Resource.objects.get(name="テスト作業所1").capacity == 25
    assert len(debug_cursor.queries) > 0  # the statements were logged, as DEBUG asks
