"""import_kaigo on tests/data/kaigo-sample.csv (24 columns, invented offices, the real files' quirks: BOM,
a quoted line break, 定員 0, an e-mail and phone numbers in the URL column, blank coordinates, ○ and ◯ in
the 共生型 columns) and on variants of it written here.

Expected numbers are computed from the sample itself, never typed in."""

import csv
import re
from collections import Counter, defaultdict
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import QueryDict

from directory.choices import DayType, ResourceStatus, Source
from directory.filters import ResourceFilterSet
from directory.importers import kaigo
from directory.importers.kaigo import COLUMNS
from directory.importers.opendata import CategoryIndex
from directory.management.commands.import_areas import SHIPPED_FILES
from directory.management.commands.import_kaigo import Command as ImportKaigo
from directory.models import Category, Feature, Organization, Resource
from directory.services import organization_create
from directory.validators import local_government_check_digit
from tests.helpers import shared_rows

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "kaigo-sample.csv"
WAM_SAMPLE = Path(__file__).parent / "data" / "wam-sample.csv"
FIRST_DATE = date(2025, 12, 31)
NEXT_DATE = date(2026, 6, 30)
KYOSEI = {
    kaigo.SHARED_USE: "kyosei-shared-use",
    kaigo.MEETS_LTC_STANDARD: "kyosei-meets-ltc-standard",
    kaigo.MEETS_WELFARE_STANDARD: "kyosei-meets-welfare-standard",
}


@pytest.fixture(scope="module", autouse=True)
def areas_of_japan(django_db_setup, django_db_blocker):
    """The municipalities and prefectures of all Japan, for the module, rolled back after it."""
    with shared_rows(django_db_blocker):
        call_command("import_areas", *SHIPPED_FILES, stdout=StringIO())
        yield


# ---------------------------------------------------------------- reading and writing files


def sample_rows():
    """The sample's rows as {column: cell} dicts."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def kaigo_file(path, rows, *, encoding="utf-8-sig", header=COLUMNS):
    """Write rows ({column: cell}) as the MHLW files are written: quoted only where needed, CRLF."""
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([row.get(column, "") for column in header] for row in rows)
    return path


def changed(row, **cells):
    """A copy of a row with cells replaced, named by the kaigo module's column constants."""
    return {**row, **{getattr(kaigo, name): value for name, value in cells.items()}}


def by_office_and_type(rows, office_number, service_type):
    return next(
        r for r in rows if (r[kaigo.OFFICE_NUMBER], r[kaigo.SERVICE_TYPE]) == (office_number, service_type)
    )


def imported(*paths, when=FIRST_DATE, dry_run=False):
    return kaigo.KaigoImporter.import_files(list(paths), date=when, dry_run=dry_run)


def command(*paths, when=FIRST_DATE, dry_run=False):
    """Run import_kaigo; (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    options = ["--date", when.isoformat(), *(["--dry-run"] if dry_run else [])]
    try:
        call_command("import_kaigo", *map(str, paths), *options, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def counts(result):
    resources = result.resources
    return (
        resources.created,
        resources.updated,
        resources.unchanged,
        result.skipped_rows,
        len(result.warnings),
    )


def the_resource(row):
    """The resource imported from a row: its office number under the category of its service type."""
    category = CategoryIndex(prefer=kaigo.KaigoImporter.category_root).find(row[kaigo.SERVICE_TYPE])
    return Resource.objects.get(
        source=Source.KAIGO, office_number=row[kaigo.OFFICE_NUMBER], primary_category=category
    )


def kaigo_state():
    """Every 介護 entry as saved (updated_at included: any write shows), with its hours and features."""
    return [
        (
            *(
                resource.source_id,
                resource.updated_at,
                resource.capacity,
                resource.phone,
                resource.source_date,
            ),
            tuple(resource.hours.values_list("day_type", "text")),
            tuple(resource.features.values_list("slug")),
        )
        for resource in Resource.objects.filter(source=Source.KAIGO).order_by("source_id")
    ]


def history_sizes():
    return Resource.history.count(), Organization.history.count()


def found(**params):
    """Names of the resources the search (the one FilterSet of page, API and map) finds."""
    search = ResourceFilterSet(QueryDict(urlencode(params, doseq=True)), queryset=Resource.objects.all())
    assert search.is_valid(), search.errors
    return {resource.name for resource in search.qs}


# ---------------------------------------------------------------- the sample, imported once


class TestTheSample:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def first_import(cls, areas_of_japan, django_db_blocker):
        with shared_rows(django_db_blocker):
            cls.status, cls.out, cls.err = command(SAMPLE)
            yield

    def test_every_row_becomes_a_resource_and_nothing_is_reported(self):
        rows = sample_rows()

        assert self.status == 0
        assert self.err == ""
        assert f"kaigo-sample.csv: UTF-8（BOM付き）として読みました（{len(rows)}行）" in self.out
        assert f"資源: 新規 {len(rows)}、更新 0、変更なし 0、読み飛ばし 0、警告 0" in self.out
        assert Resource.objects.filter(source=Source.KAIGO).count() == len(rows)

    def test_every_service_type_is_filed_under_long_term_care_first(self):
        long_term_care = Category.objects.descendants_of(Category.objects.filter(slug="long-term-care"))

        assert not Resource.objects.filter(source=Source.KAIGO).exclude(primary_category__in=long_term_care)
        day_service = by_office_and_type(sample_rows(), "2070101023", "通所介護")
        assert the_resource(day_service).primary_category.slug == "ltc-day-service", "not 生活介護's alias"
        nursing = next(row for row in sample_rows() if row[kaigo.SERVICE_TYPE] == "訪問看護")
        assert the_resource(nursing).primary_category.slug == "ltc-home-nursing", "not the health category"
        roken = by_office_and_type(sample_rows(), "2051380016", "短期入所療養介護（介護老人保健施設）")
        assert the_resource(roken).primary_category.slug == "ltc-medical-short-stay"

    def test_an_office_under_two_service_types_is_two_resources_sharing_its_number(self):
        types = defaultdict(set)
        for row in sample_rows():
            types[row[kaigo.OFFICE_NUMBER]].add(row[kaigo.SERVICE_TYPE])
        several = {office for office, names in types.items() if len(names) > 1}
        assert several, "the sample has offices under several types"

        for office in several:
            together = Resource.objects.filter(office_number=office)
            assert together.count() == len(types[office])
            assert not together.filter(features__slug="multifunction").exists(), "多機能型 is 障害福祉's"

    def test_each_resource_says_where_it_came_from_and_its_address_is_whole(self):
        row = by_office_and_type(sample_rows(), "2070101031", "居宅介護支援")

        resource = the_resource(row)

        assert (resource.source, resource.source_id) == (Source.KAIGO, "2070101031:ltc-care-plan")
        assert (resource.source_date, resource.source_row) == (FIRST_DATE, row[kaigo.NO])
        assert resource.municipality.code == row[kaigo.CODE]
        assert resource.address == "長野県長野市篠ノ井布施高田200-3 ひだまりビル2階"
        assert resource.name_kana == row[kaigo.KANA]
        assert resource.organization.corporate_number == row[kaigo.CORPORATE_NUMBER]
        assert resource.kind == "formal"
        sapporo = the_resource(next(r for r in sample_rows() if r[kaigo.CODE] == "011011"))
        assert sapporo.address == "北海道札幌市中央区大通西1丁目 大通ビル5階"

    def test_organizations_are_one_per_corporate_number_and_one_by_name(self):
        rows = sample_rows()
        numbers = {row[kaigo.CORPORATE_NUMBER] for row in rows} - {""}
        unnumbered = {row[kaigo.ORG_NAME] for row in rows if not row[kaigo.CORPORATE_NUMBER]}

        assert f"法人: 新規 {len(numbers) + len(unnumbered)}、更新 0、変更なし 0" in self.out
        assert set(
            Organization.objects.exclude(corporate_number=None).values_list("corporate_number", flat=True)
        ) == (numbers)
        assert (
            set(Organization.objects.filter(corporate_number=None).values_list("name", flat=True))
            == unnumbered
        )

    def test_capacity_zero_is_unknown_and_a_number_is_kept(self):
        rows = sample_rows()
        zero = [row for row in rows if row[kaigo.CAPACITY] == "0"]
        assert zero

        for row in zero:
            assert the_resource(row).capacity is None
        nursing_home = next(row for row in rows if row[kaigo.SERVICE_TYPE] == "介護老人福祉施設")
        assert the_resource(nursing_home).capacity == int(nursing_home[kaigo.CAPACITY]) == 80

    def test_an_email_or_a_phone_number_in_the_url_column_goes_to_its_field(self):
        rows = sample_rows()
        care_plan = the_resource(by_office_and_type(rows, "2070101031", "居宅介護支援"))
        day_service = the_resource(by_office_and_type(rows, "2070700016", "地域密着型通所介護"))
        same_phone = the_resource(by_office_and_type(rows, "2070700024", "小規模多機能型居宅介護"))
        bare_host = the_resource(by_office_and_type(rows, "2071100018", "認知症対応型共同生活介護"))

        assert (care_plan.email, care_plan.url) == ("careplan@hidamari.example.jp", "")
        assert (day_service.phone, day_service.url) == ("026-245-4441", ""), "the 電話番号 column is empty"
        assert (same_phone.phone, same_phone.url) == ("026-245-5551", "")
        assert bare_host.url == "http://www.hidamari.example.jp/sakura"

    def test_blank_coordinates_stay_blank_and_the_others_have_a_grid_cell(self):
        rows = sample_rows()
        blank = [row for row in rows if not row[kaigo.LATITUDE]]
        assert blank

        for row in blank:
            resource = the_resource(row)
            assert (resource.latitude, resource.longitude, resource.geo_cell) == (None, None, None)
        pinned = Resource.objects.filter(source=Source.KAIGO, latitude__isnull=False)
        assert pinned.count() == len(rows) - len(blank)
        assert not pinned.filter(geo_cell=None).exists()

    def test_the_kyosei_columns_become_features(self):
        for row in sample_rows():
            expected = {slug for column, slug in KYOSEI.items() if row[column]}
            assert set(the_resource(row).features.values_list("slug", flat=True)) == expected
        assert Resource.objects.filter(features__slug="kyosei-shared-use").count() == 2

    def test_available_days_become_hours_lines_that_open_on_finds(self):
        rows = sample_rows()
        weekdays_only = by_office_and_type(rows, "2070101031", "居宅介護支援")
        every_day = by_office_and_type(rows, "2070101015", "訪問介護")

        lines = the_resource(every_day).hours.values_list("day_type", "opens", "closes", "text")
        assert set(lines) == {(day_type, None, None, kaigo.AVAILABLE) for day_type in DayType}
        assert list(the_resource(weekdays_only).hours.values_list("day_type", flat=True)) == [DayType.WEEKDAY]
        open_on_sunday = {row[kaigo.NAME] for row in rows if "日曜日" in row[kaigo.DAYS]}
        assert found(open_on="sun") == open_on_sunday
        assert the_resource(weekdays_only).hours_note == "土曜日は電話のみ対応"

    def test_a_note_with_a_line_break_is_kept_whole(self):
        rows = sample_rows()
        noted = next(row for row in rows if "\n" in row[kaigo.DAYS_NOTE])

        assert (
            the_resource(noted).hours_note == noted[kaigo.DAYS_NOTE] == "年末年始は休み\n（12月30日～1月3日）"
        )
        described = next(row for row in rows if row[kaigo.NOTE])
        assert the_resource(described).description == described[kaigo.NOTE]

    def test_the_search_finds_what_was_imported_by_name_kind_and_abbreviation(self):
        assert found(q="デイサービスセンターあおぞら") == {"デイサービスセンターあおぞら"}
        assert "特別養護老人ホームみなみ" in found(q="特養"), "a 2-character alias"
        assert found(q="老健") == {"介護老人保健施設いいやま"}
        assert found(q="ケアマネ") == {"ケアプランセンターひだまり"}
        assert found(q="ホームヘルプセンター 札幌") == {"ホームヘルプセンター大通"}
        assert "訪問看護ステーションいいやま" in found(q="訪問看護", category="long-term-care")
        assert found(q="存在しない事業所") == set()

    def test_a_second_import_changes_nothing_and_writes_no_history(self):
        before, history = kaigo_state(), history_sizes()

        result = imported(SAMPLE, when=NEXT_DATE)

        assert counts(result) == (0, 0, len(sample_rows()), 0, 0)
        assert kaigo_state() == before, "unchanged rows keep the date of the file their values came from"
        assert history_sizes() == history

    @pytest.mark.parametrize(("encoding", "name"), [("cp932", "CP932（Shift_JIS）"), ("utf-8", "UTF-8")])
    def test_cp932_and_plain_utf8_copies_read_the_same(self, tmp_path, encoding, name):
        copy = kaigo_file(tmp_path / f"{encoding}.csv", sample_rows(), encoding=encoding)

        status, out, err = command(copy, when=NEXT_DATE)

        assert (status, err) == (0, "")
        assert f": {name}として読みました（{len(sample_rows())}行）" in out
        assert f"資源: 新規 0、更新 0、変更なし {len(sample_rows())}、読み飛ばし 0" in out

    def test_a_newer_file_updates_what_changed_and_flags_the_office_it_no_longer_holds(self, tmp_path):
        rows = sample_rows()
        moved = by_office_and_type(rows, "0170101011", "訪問介護")
        dropped = by_office_and_type(rows, "2070101015", "訪問介護")
        shared = by_office_and_type(rows, "2070700016", "地域密着型通所介護")
        assert moved[kaigo.SERVICE_TYPE] == dropped[kaigo.SERVICE_TYPE], (
            "the newer file still covers the type"
        )
        newer = [
            changed(moved, CAPACITY="３０", PHONE="011-222-9999", LATITUDE="43.06", LONGITUDE="141.35")
            if row is moved
            else changed(shared, SHARED_USE="")
            if row is shared
            else row
            for row in rows
            if row is not dropped
        ]
        history = Resource.history.count()

        result = imported(kaigo_file(tmp_path / "newer.csv", newer), when=NEXT_DATE)

        assert counts(result) == (0, 2, len(rows) - 3, 0, 0)
        assert result.flagged_missing == 1
        updated = the_resource(moved)
        assert (updated.capacity, updated.phone) == (30, "011-222-9999")
        assert (updated.latitude, updated.longitude, updated.source_date) == (43.06, 141.35, NEXT_DATE)
        assert set(the_resource(shared).features.values_list("slug", flat=True)) == {
            "kyosei-meets-ltc-standard"
        }
        gone = the_resource(dropped)
        assert (gone.missing_from_source_since, gone.status) == (NEXT_DATE, ResourceStatus.ACTIVE)
        assert Resource.history.count() == history + 3, "one history row per change"

        back = imported(SAMPLE, when=NEXT_DATE)
        assert (back.resources.updated, back.flagged_missing) == (3, 0)
        gone.refresh_from_db()
        assert gone.missing_from_source_since is None

    def test_a_dry_run_reports_what_it_would_do_and_changes_nothing(self, tmp_path):
        rows = sample_rows()
        assert rows[0][kaigo.SERVICE_TYPE] == rows[-1][kaigo.SERVICE_TYPE], (
            "the dry run still covers the type"
        )
        newer = kaigo_file(tmp_path / "newer.csv", [changed(rows[1], CAPACITY="9"), *rows[2:]])
        before, history = kaigo_state(), history_sizes()

        status, out, _ = command(newer, when=NEXT_DATE, dry_run=True)

        assert status == 0
        assert f"資源: 新規 0、更新 1、変更なし {len(rows) - 2}、読み飛ばし 0" in out
        assert "元データにない印をつけた資源: 1件" in out
        assert "確認だけ行いました。まだ何も保存していません。" in out
        assert (kaigo_state(), history_sizes()) == (before, history)


# ---------------------------------------------------------------- small files written here


def test_a_history_row_records_the_import_as_a_change_with_no_user():
    imported(SAMPLE)

    resource = the_resource(by_office_and_type(sample_rows(), "2090200013", "看護小規模多機能型居宅介護"))
    (record,) = resource.history.all()
    assert (record.history_type, record.history_user) == ("+", None)
    assert record.history_change_reason == f"import_kaigo: source date {FIRST_DATE.isoformat()}"
    snapshot = {row.feature.slug for row in record.features.all()}
    assert snapshot == {"kyosei-shared-use", "kyosei-meets-welfare-standard"}
    organization = resource.organization
    assert [(r.history_type, r.history_user) for r in organization.history.all()] == [("+", None)]


def test_a_prefecture_code_is_read_with_the_municipality_name(tmp_path):
    row = changed(sample_rows()[0], CODE="200000", CITY="須坂市")

    result = imported(kaigo_file(tmp_path / "prefecture.csv", [row]))

    assert counts(result) == (1, 0, 0, 0, 0)
    assert Resource.objects.get().municipality.code == "202070"


@pytest.mark.parametrize(
    ("latitude", "longitude", "point", "warning"),
    [
        ("138.194440000000000", "36.648610000000000", (36.64861, 138.19444), "緯度と経度が逆でした"),
        ("51.5", "-0.12", None, "日本の範囲外の地点です（51.5, -0.12。"),
        ("36.6", "", None, "もう一方の座標はあるのに空欄です。地点は空欄にしました"),
        ("３６．６４８６１", "１３８．１９４４４", (36.64861, 138.19444), None),
    ],
)
def test_coordinates_are_checked(tmp_path, latitude, longitude, point, warning):
    row = changed(sample_rows()[0], LATITUDE=latitude, LONGITUDE=longitude)

    result = imported(kaigo_file(tmp_path / "point.csv", [row]))

    resource = Resource.objects.get()
    assert (resource.latitude, resource.longitude) == (point or (None, None))
    assert [warning in p.message for p in result.warnings] == ([True] if warning else [])
    assert result.exit_status == 0


@pytest.mark.parametrize(
    ("written", "places", "warned"),
    [
        ("0", None, False),
        ("０", None, False),
        ("", None, False),
        ("２０", 20, False),
        ("20名", 20, False),
        ("約20", None, True),
    ],
)
def test_capacity_zero_or_blank_is_unknown_and_full_width_digits_count(tmp_path, written, places, warned):
    result = imported(kaigo_file(tmp_path / "capacity.csv", [changed(sample_rows()[1], CAPACITY=written)]))

    assert Resource.objects.get().capacity == places
    assert [p.column for p in result.warnings] == (["定員"] if warned else [])


@pytest.mark.parametrize(
    ("cell", "phone", "expected", "warned"),
    [
        ("mailto:Info@Example.jp", "026-201-1111", {"email": "Info@Example.jp", "url": ""}, False),
        ("０２６－２０１－１１１１", "026-201-1111", {"phone": "026-201-1111", "url": ""}, False),
        ("090-1234-5678", "026-201-1111", {"phone": "026-201-1111", "url": ""}, True),
        ("090-1234-5678", "", {"phone": "090-1234-5678", "url": ""}, False),
        ("example.jp", "026-201-1111", {"url": "http://example.jp"}, False),
        ("なし", "026-201-1111", {"url": ""}, True),
    ],
)
def test_the_url_column_is_read_as_what_it_holds(tmp_path, cell, phone, expected, warned):
    row = changed(sample_rows()[0], URL=cell, PHONE=phone)

    result = imported(kaigo_file(tmp_path / "url.csv", [row]))

    resource = Resource.objects.values(*expected).get()
    assert resource == expected
    assert [p.column for p in result.warnings] == (["URL"] if warned else [])


def test_days_and_kyosei_cells_the_importer_cannot_read_are_warnings(tmp_path):
    row = changed(sample_rows()[0], DAYS="平日、土曜、夜間", SHARED_USE="未定", MEETS_LTC_STANDARD="有")

    result = imported(kaigo_file(tmp_path / "cells.csv", [row]))

    resource = Resource.objects.get()
    assert set(resource.hours.values_list("day_type", flat=True)) == {DayType.WEEKDAY, DayType.SATURDAY}
    assert set(resource.features.values_list("slug", flat=True)) == {"kyosei-meets-ltc-standard"}
    assert [(p.column, p.value) for p in result.warnings] == [
        (kaigo.DAYS, "平日、土曜、夜間"),
        (kaigo.SHARED_USE, "未定"),
    ]
    assert "夜間" in result.warnings[0].message


def test_a_kyosei_feature_is_cleared_when_its_column_is_and_other_features_stay(tmp_path):
    row = by_office_and_type(sample_rows(), "2090200013", "看護小規模多機能型居宅介護")
    imported(kaigo_file(tmp_path / "first.csv", [row]))
    resource = Resource.objects.get()
    resource.features.add(Feature.objects.get(slug="transport"))  # a coordinator's

    result = imported(
        kaigo_file(tmp_path / "cleared.csv", [changed(row, SHARED_USE="", MEETS_WELFARE_STANDARD="")])
    )

    assert counts(result) == (0, 1, 0, 0, 0)
    assert list(resource.features.values_list("slug", flat=True)) == ["transport"]


def test_an_organization_saved_from_another_source_is_completed_not_renamed(tmp_path):
    row = sample_rows()[0]
    organization = organization_create(
        name="社会福祉法人あおぞら会", corporate_number=row[kaigo.CORPORATE_NUMBER]
    )

    result = imported(kaigo_file(tmp_path / "one.csv", [row]))

    assert (result.organizations.created, result.organizations.unchanged) == (0, 1)
    organization.refresh_from_db()
    assert organization.name == "社会福祉法人あおぞら会"
    assert Resource.objects.get().organization == organization


def test_an_invalid_corporate_number_is_a_warning_and_the_organization_is_found_by_name(tmp_path):
    first, second = sample_rows()[:2]
    wrong = ("1" if first[kaigo.CORPORATE_NUMBER][0] != "1" else "2") + first[kaigo.CORPORATE_NUMBER][1:]

    result = imported(
        kaigo_file(tmp_path / "corporate.csv", [first, changed(second, CORPORATE_NUMBER=wrong)])
    )

    assert counts(result) == (2, 0, 0, 0, 1)
    assert (result.warnings[0].line, result.warnings[0].column) == (3, kaigo.CORPORATE_NUMBER)
    assert "検査数字" in result.warnings[0].message
    assert Organization.objects.count() == 1


def test_an_unknown_service_type_is_imported_under_an_unmapped_category_and_reported(tmp_path):
    rows = [changed(row, SERVICE_TYPE="介護予防日常生活支援総合事業") for row in sample_rows()[:2]]

    status, out, err = command(kaigo_file(tmp_path / "unknown.csv", rows))

    assert status == 0
    category = Category.objects.get(unmapped=True)
    assert "列「サービスの種類」 = '介護予防日常生活支援総合事業': 警告: 知らないサービス種別です。" in err
    assert (
        f"知らないサービス種別「介護予防日常生活支援総合事業」: 2行をカテゴリ「{category.slug}」に入れました"
        in out
    )
    assert Resource.objects.filter(primary_category=category).count() == 2


def test_bad_rows_are_reported_with_line_column_and_value_and_the_others_imported_with_status_3(tmp_path):
    rows = sample_rows()
    unknown_municipality = "20999" + local_government_check_digit("20999")
    path = kaigo_file(
        tmp_path / "broken.csv",
        [
            changed(rows[0], DAYS_NOTE="二行の\n特記事項"),  # lines 2–3
            changed(rows[1], OFFICE_NUMBER="２０７０１０１０２"),  # line 4: 9 digits
            changed(rows[3], CODE=unknown_municipality),  # line 5
            changed(rows[4], NAME=""),  # line 6
            changed(rows[5], SERVICE_TYPE=""),  # line 7
            rows[6],  # line 8
            changed(rows[6], NAME="同じ事業所の2行目"),  # line 9: the same office and type as line 8
        ],
    )

    status, out, err = command(path)

    assert status == 3
    assert "資源: 新規 2、更新 0、変更なし 0、読み飛ばし 5、警告 0" in out
    problems = err.splitlines()
    assert problems[:5] == [
        f"{path} 4行目 列「事業所番号」 = '２０７０１０１０２': 事業所番号（10桁の数字）ではありません"
        "（この行は読み飛ばしました）",
        f"{path} 5行目 列「都道府県コード又は市町村コード」 = '{unknown_municipality}': "
        "このコードの市区町村がありません（import_areas で取り込んでください）（この行は読み飛ばしました）",
        f"{path} 6行目 列「事業所名」 = '': 空欄です（この行は読み飛ばしました）",
        f"{path} 7行目 列「サービスの種類」 = '': 空欄です（この行は読み飛ばしました）",
        f"{path} 9行目 列「事業所番号」 = '{rows[6][kaigo.OFFICE_NUMBER]}': 8行目と同じ事業所・"
        "サービス種別（認知症対応型共同生活介護）です。最初の行だけを取り込みます"
        "（従たる事業所は主たる事業所と同じ番号です）（この行は読み飛ばしました）",
    ]
    assert problems[5].startswith("5行を読み飛ばしました。")
    assert Resource.objects.get(name=rows[6][kaigo.NAME]).hours_note == ""


def test_the_process_exit_status_is_3_when_rows_were_skipped(tmp_path, monkeypatch):
    path = kaigo_file(tmp_path / "short.csv", [sample_rows()[0]])
    path.write_text(path.read_text(encoding="utf-8-sig") + "202011,1,長野県\r\n", encoding="utf-8-sig")
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # keep the test database's

    with pytest.raises(SystemExit) as exit:
        ImportKaigo(stdout=StringIO(), stderr=StringIO()).run_from_argv(
            ["manage.py", "import_kaigo", str(path)]
        )

    assert exit.value.code == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "ファイルがありません"),
        (
            b"\xef\xbb\xbf" + "事業所名\n".encode() + b"\xff\xfe",
            "UTF-8のBOMで始まりますが、UTF-8ではありません（先頭から16バイトの位置）",
        ),
        (b"\x80\x81\xff\xfe" * 10, "UTF-8でもCP932（Shift_JIS）でもない文字です"),
        (",".join(COLUMNS[:20]).encode() + b"\n", "見出しに24列のうち4列がありません（高齢者の方と"),
        (b"", "あった見出し: （空のファイル）"),
        (",".join(COLUMNS).encode() + b'\n202011,"' + b"x" * 200_000 + b"\n", "2行目: CSVとして読めません（"),
    ],
)
def test_a_file_that_cannot_be_read_exits_with_status_2_and_nothing_is_imported(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)

    status, _, err = command(SAMPLE, path)

    assert status == 2
    assert err.startswith(f"{path}")
    assert message in err
    assert Resource.objects.count() == Organization.objects.count() == 0, "files are read before writing"


def test_a_wam_file_is_refused_by_import_kaigo():
    status, _, err = command(WAM_SAMPLE)

    assert status == 2
    assert (
        "介護サービス情報公表（厚生労働省）のオープンデータのファイルではありません。見出しに24列のうち"
        in err
    )


def test_a_wam_import_and_a_kaigo_import_keep_their_own_entries(tmp_path):
    call_command("import_wam", str(WAM_SAMPLE), stdout=StringIO(), stderr=StringIO())
    wam_count = Resource.objects.count()

    result = imported(SAMPLE)

    assert result.flagged_missing == 0
    assert Resource.objects.filter(source=Source.WAM).count() == wam_count
    assert Counter(Resource.objects.values_list("source", flat=True)) == {
        Source.WAM: wam_count,
        Source.KAIGO: len(sample_rows()),
    }
    assert re.fullmatch(r"\d{10}:ltc-[a-z-]+", Resource.objects.filter(source=Source.KAIGO).first().source_id)
