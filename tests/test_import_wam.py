"""import_wam on the WAM NET sample (tests/data/wam-sample.csv: 24 invented offices in 富山県 in the real
29-column format, with its quirks: BOM, CRLF, every field quoted, full-width letters and digits, blank
coordinates and 定員, offices under several service types, a line break inside a field) and on broken copies
of it written here.

Expected numbers are computed from the sample itself, never typed in."""

import csv
import re
from collections import Counter, defaultdict
from datetime import date
from datetime import time as clock
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import translation

from directory import services
from directory.choices import ResourceStatus, Source
from directory.importers import opendata, wam
from directory.management.commands.import_areas import SHIPPED_FILES
from directory.management.commands.import_wam import Command as ImportWam
from directory.models import Category, OpeningHours, Organization, Resource
from directory.search import normalize, text_filter
from directory.validators import local_government_check_digit
from tests.helpers import shared_rows

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "wam-sample.csv"
DATE = date(2025, 9, 30)
NEWER = date(2026, 3, 31)


@pytest.fixture(scope="module", autouse=True)
def municipalities(django_db_setup, django_db_blocker):
    """Every municipality of Japan, loaded once for the module and rolled back after it."""
    with shared_rows(django_db_blocker):
        call_command("import_areas", *SHIPPED_FILES, stdout=StringIO())
        yield


# ---------------------------------------------------------------- helpers


def run_command(paths, when, dry_run, out, err):
    options = ["--date", when.isoformat()] + (["--dry-run"] if dry_run else [])
    call_command("import_wam", *(str(path) for path in paths), *options, stdout=out, stderr=err)


def import_wam(*paths, when=DATE, dry_run=False):
    """Run the command; returns (stdout, stderr). Raises CommandError as the command does."""
    out, err = StringIO(), StringIO()
    run_command(paths, when, dry_run, out, err)
    return out.getvalue(), err.getvalue()


def import_wam_failing(*paths, when=DATE, dry_run=False):
    """Run the command expecting a CommandError; returns (error, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        run_command(paths, when, dry_run, out, err)
    return caught.value, out.getvalue(), err.getvalue()


def totals(output):
    """(created, updated, unchanged, skipped, warnings) as printed."""
    match = re.search(
        r"^資源: 新規 (\d+)、更新 (\d+)、変更なし (\d+)、読み飛ばし (\d+)、警告 (\d+)$",
        output,
        re.MULTILINE,
    )
    assert match, output
    return tuple(int(number) for number in match.groups())


def flagged(output):
    match = re.search(r"^元データにない印をつけた資源: (\d+)件$", output, re.MULTILINE)
    assert match, output
    return int(match[1])


def read_sample():
    """(header, rows) of the sample, each row a list of its 29 cells."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = csv.reader(file)
    return header, rows


def cell(row, column):
    return row[wam.COLUMNS.index(column)]


def with_cells(row, changes):
    """A copy of a row with some cells replaced ({column name: value})."""
    copy = list(row)
    for column, value in changes.items():
        copy[wam.COLUMNS.index(column)] = value
    return copy


def row_numbered(rows, number):
    return next(row for row in rows if cell(row, wam.NO) == str(number))


def write_wam(path, header, rows, *, encoding="utf-8-sig"):
    """Write rows as WAM NET does: every field quoted."""
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def wam_resources():
    return Resource.objects.filter(source=Source.WAM)


def resource_of(row):
    """The resource imported from a sample row (office number and service type)."""
    return Resource.objects.get(
        office_number=cell(row, wam.OFFICE_NUMBER),
        primary_category=wam.CategoryIndex().find(cell(row, wam.SERVICE_TYPE)),
    )


def snapshot():
    """What the WAM entries hold, without primary keys (updated_at included: any write shows)."""
    fields = ["source_id", "name", "organization__corporate_number", "municipality__code", "latitude"]
    fields += ["longitude", "capacity", "phone", "closed_days", "hours_note", "missing_from_source_since"]
    fields += ["source_date", "source_row", "updated_at"]
    return list(wam_resources().values_list(*fields).order_by("source_id"))


def history_rows():
    return Resource.history.count(), Organization.history.count()


# ---------------------------------------------------------------- the sample, imported once


class TestTheSample:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def imported(cls, municipalities, django_db_blocker):
        with shared_rows(django_db_blocker):
            cls.out, cls.err = import_wam(SAMPLE)
            yield

    def test_it_creates_one_resource_per_row_and_reports_nothing_to_fix(self, sample):
        _, rows = sample

        assert totals(self.out) == (len(rows), 0, 0, 0, 0)
        assert self.err == ""
        assert wam_resources().count() == len(rows) == 24
        assert f"{SAMPLE}: UTF-8（BOM付き）として読みました（{len(rows)}行）" in self.out
        assert flagged(self.out) == 0

    def test_it_creates_one_organization_per_corporate_number(self, sample):
        _, rows = sample
        numbers = {cell(row, wam.CORPORATE_NUMBER) for row in rows}

        assert f"法人: 新規 {len(numbers)}、更新 0、変更なし 0" in self.out
        assert set(Organization.objects.values_list("corporate_number", flat=True)) == numbers

    def test_each_resource_says_where_it_came_from(self, sample):
        _, rows = sample
        first = row_numbered(rows, 1)

        resource = resource_of(first)

        assert (resource.source, resource.source_id) == (Source.WAM, "1630100016:plan-consultation")
        assert (resource.source_date, resource.source_row) == (DATE, "1")
        assert resource.missing_from_source_since is None
        assert resource.name == cell(first, wam.NAME)
        assert resource.municipality.code == cell(first, wam.CODE) == "162116"
        assert resource.address == "富山県射水市本町2丁目10-3"
        assert resource.phone == cell(first, wam.PHONE)
        assert resource.organization.corporate_number == cell(first, wam.CORPORATE_NUMBER)
        assert resource.organization.name == cell(first, wam.ORG_NAME)
        assert resource.organization.address == "富山県射水市中央通り1丁目5-8"
        assert (resource.latitude, resource.longitude) == (36.73121, 137.078412)
        assert resource.geo_cell is not None
        assert normalize("ほたる相談支援センター") in resource.search_text

    def test_full_width_b_type_is_filed_under_employment_b(self, sample):
        _, rows = sample
        b_type = [row for row in rows if cell(row, wam.SERVICE_TYPE) == "就労継続支援Ｂ型"]

        assert len(b_type) >= 2
        for row in b_type:
            assert resource_of(row).primary_category.slug == "employment-b"
        assert wam_resources().filter(primary_category__slug="employment-b").count() == len(b_type)
        a_type = [row for row in rows if cell(row, wam.SERVICE_TYPE) == "就労継続支援Ａ型"]
        assert wam_resources().filter(primary_category__slug="employment-a").count() == len(a_type) > 0

    def test_an_office_under_several_service_types_stays_several_resources_with_the_multifunction_feature(
        self, sample
    ):
        _, rows = sample
        types_by_office = defaultdict(set)
        for row in rows:
            types_by_office[cell(row, wam.OFFICE_NUMBER)].add(cell(row, wam.SERVICE_TYPE))
        multifunction = {office for office, types in types_by_office.items() if len(types) > 1}
        assert multifunction, "the sample has 多機能型 offices"

        for office in multifunction:
            together = Resource.objects.filter(office_number=office)
            assert together.count() == len(types_by_office[office])
            assert together.values("primary_category").distinct().count() == len(types_by_office[office])
            assert all(r.features.filter(slug="multifunction").exists() for r in together)
        tagged = set(
            wam_resources().filter(features__slug="multifunction").values_list("office_number", flat=True)
        )
        assert tagged == multifunction

    def test_blank_coordinates_stay_blank(self, sample):
        _, rows = sample
        blank = [row for row in rows if not cell(row, wam.LATITUDE)]

        assert blank
        for row in blank:
            resource = resource_of(row)
            assert (resource.latitude, resource.longitude, resource.geo_cell) == (None, None, None)

    def test_hours_become_opening_hours_with_their_text_and_closed_days_are_kept(self, sample):
        _, rows = sample

        first = resource_of(row_numbered(rows, 1))
        hours = {h.day_type: (h.opens, h.closes, h.text) for h in first.hours.all()}
        assert hours == {
            "weekday": (clock(8, 30), clock(17, 15), "08:30～17:15"),
            "saturday": (clock(8, 30), clock(17, 15), "08:30～17:15"),
        }
        assert first.closed_days == "年末年始"

        round_the_clock = resource_of(row_numbered(rows, 2)).hours.get(day_type="weekday")
        assert (round_the_clock.opens, round_the_clock.closes) == (clock(0, 0), clock(0, 0))
        assert round_the_clock.text == "00:00～24:00"
        assert OpeningHours.objects.filter(opens__isnull=True).count() == 0

    def test_blank_capacity_is_unknown_and_a_number_is_kept(self, sample):
        _, rows = sample

        assert resource_of(row_numbered(rows, 1)).capacity is None
        assert resource_of(row_numbered(rows, 2)).capacity == 40
        blank = sum(1 for row in rows if not cell(row, wam.CAPACITY))
        assert wam_resources().filter(capacity__isnull=True).count() == blank

    def test_a_second_run_creates_and_updates_nothing_and_writes_no_history(self, sample):
        _, rows = sample
        before, history = snapshot(), history_rows()

        out, err = import_wam(SAMPLE, when=NEWER)

        assert totals(out) == (0, 0, len(rows), 0, 0)
        assert "法人: 新規 0、更新 0、変更なし" in out
        assert err == ""
        assert history_rows() == history
        assert snapshot() == before, "unchanged rows keep the date of the file their values came from"

    @pytest.mark.parametrize(("encoding", "name"), [("cp932", "CP932（Shift_JIS）"), ("utf-8", "UTF-8")])
    def test_cp932_and_plain_utf8_copies_read_the_same(self, sample, tmp_path, encoding, name):
        header, rows = sample
        copy = write_wam(tmp_path / f"{encoding}.csv", header, rows, encoding=encoding)
        assert not copy.read_bytes().startswith(b"\xef\xbb\xbf")

        out, err = import_wam(copy)

        assert f": {name}として読みました（{len(rows)}行）" in out
        assert totals(out) == (0, 0, len(rows), 0, 0)
        assert err == ""

    def test_a_newer_file_updates_what_changed_and_flags_the_office_it_no_longer_holds(
        self, sample, tmp_path
    ):
        header, rows = sample
        changed_row, dropped_row = row_numbered(rows, 2), row_numbered(rows, 4)
        assert cell(changed_row, wam.CAPACITY) == "40"
        same_type = [r for r in rows if cell(r, wam.SERVICE_TYPE) == cell(dropped_row, wam.SERVICE_TYPE)]
        assert len(same_type) > 1, "the newer file still holds the dropped row's service type"
        newer_rows = [
            with_cells(row, {wam.CAPACITY: "16", wam.PHONE: "026-000-0000"}) if row is changed_row else row
            for row in rows
            if row is not dropped_row
        ]
        newer = write_wam(tmp_path / "newer.csv", header, newer_rows)
        resources, history = Resource.objects.count(), history_rows()

        out, err = import_wam(newer, when=NEWER)

        assert totals(out) == (0, 1, len(rows) - 2, 0, 0)
        assert flagged(out) == 1
        assert err == ""
        updated = resource_of(changed_row)
        assert (updated.capacity, updated.phone) == (16, "026-000-0000")
        assert (updated.source_date, updated.source_row) == (NEWER, "2")
        dropped = resource_of(dropped_row)
        assert dropped.missing_from_source_since == NEWER
        assert dropped.status == ResourceStatus.ACTIVE, "missing from the source is not closed"
        assert Resource.objects.count() == resources, "nothing is deleted"
        assert wam_resources().filter(missing_from_source_since__isnull=False).count() == 1
        assert history_rows()[0] == history[0] + 2

        # The office is back in the next file: the flag is cleared.
        out, _ = import_wam(tmp_path / "newer.csv", when=NEWER)
        assert flagged(out) == 0
        out, _ = import_wam(write_wam(tmp_path / "again.csv", header, rows), when=NEWER)
        assert totals(out) == (0, 2, len(rows) - 2, 0, 0)
        dropped.refresh_from_db()
        assert dropped.missing_from_source_since is None

    def test_an_office_of_a_service_type_the_newer_file_does_not_hold_is_not_flagged(self, sample, tmp_path):
        header, rows = sample
        types = Counter(cell(row, wam.SERVICE_TYPE) for row in rows)
        only_one = next(row for row in rows if types[cell(row, wam.SERVICE_TYPE)] == 1)
        newer = write_wam(tmp_path / "newer.csv", header, [row for row in rows if row is not only_one])

        out, _ = import_wam(newer, when=NEWER)

        assert flagged(out) == 0
        assert resource_of(only_one).missing_from_source_since is None

    def test_a_dry_run_reports_what_it_would_do_and_changes_nothing(self, sample, tmp_path):
        header, rows = sample
        newer_rows = [with_cells(rows[0], {wam.CAPACITY: "９"}), *rows[1:]]
        newer_rows.remove(row_numbered(rows, 4))
        newer = write_wam(tmp_path / "newer.csv", header, newer_rows)
        before, history = snapshot(), history_rows()

        out, _ = import_wam(newer, when=NEWER, dry_run=True)

        assert totals(out) == (0, 1, len(rows) - 2, 0, 0)
        assert flagged(out) == 1
        assert "確認だけ行いました。まだ何も保存していません。" in out
        assert snapshot() == before
        assert history_rows() == history


# ---------------------------------------------------------------- small files written here


@pytest.fixture
def sample():
    return read_sample()


def test_a_dry_run_on_an_empty_catalogue_leaves_it_empty(sample, tmp_path):
    header, rows = sample
    unknown = with_cells(rows[1], {wam.SERVICE_TYPE: "新しいサービス"})
    path = write_wam(tmp_path / "small.csv", header, [rows[0], unknown, rows[2]])
    categories = Category.objects.count()

    out, _ = import_wam(path, dry_run=True)

    assert totals(out) == (3, 0, 0, 0, 1)
    assert "知らないサービス種別「新しいサービス」: 1行" in out
    assert Resource.objects.count() == Organization.objects.count() == 0
    assert Category.objects.count() == categories
    assert history_rows() == (0, 0)


@pytest.mark.parametrize(
    ("latitude", "longitude", "point", "warning"),
    [
        (
            "137.078412",
            "36.731210",
            (36.73121, 137.078412),
            "緯度と経度が逆でした（137.078412, 36.731210）。入れ替えました",
        ),
        (
            "48.85",
            "2.35",
            None,
            "日本の範囲外の地点です（48.85, 2.35。日本は緯度20～46、経度122～154）。空欄にしました",
        ),
        ("0", "0", None, "日本の範囲外の地点です（0, 0。"),
        ("北緯36度", "137.078412", None, "数値ではありません。地点は空欄にしました"),
        ("36.731210", "", None, "もう一方の座標はあるのに空欄です。地点は空欄にしました"),
        ("３６．７３１２１０", "１３７．０７８４１２", (36.73121, 137.078412), None),
    ],
)
def test_coordinates_outside_japan_or_unreadable_are_left_blank_and_swapped_ones_fixed_with_a_warning(
    sample, tmp_path, latitude, longitude, point, warning
):
    header, rows = sample
    row = with_cells(rows[0], {wam.LATITUDE: latitude, wam.LONGITUDE: longitude})
    path = write_wam(tmp_path / "point.csv", header, [row])

    result = wam.import_files([path], date=DATE)

    resource = Resource.objects.get()
    assert (resource.latitude, resource.longitude) == (point or (None, None))
    assert (resource.geo_cell is None) == (point is None)
    messages = [str(problem) for problem in result.warnings]
    if warning is None:
        assert messages == []
    else:
        assert len(messages) == 1
        assert messages[0].startswith(f"{path} 2行目 列「事業所")
        assert warning in messages[0]
    assert result.exit_status == 0


@pytest.mark.parametrize(
    ("written", "capacity", "warned"),
    [("２０", 20, False), ("20", 20, False), ("２０名", 20, False), ("", None, False), ("約20", None, True)],
)
def test_capacity_accepts_full_width_digits_and_blank_is_unknown(sample, tmp_path, written, capacity, warned):
    header, rows = sample
    path = write_wam(tmp_path / "capacity.csv", header, [with_cells(rows[1], {wam.CAPACITY: written})])

    result = wam.import_files([path], date=DATE)

    assert Resource.objects.get().capacity == capacity
    assert [problem.column for problem in result.warnings] == (["定員"] if warned else [])


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("08:30～17:15", (clock(8, 30), clock(17, 15))),
        ("9:00〜18:00", (clock(9), clock(18))),
        ("9:00~18:00", (clock(9), clock(18))),
        ("09:00-17:00", (clock(9), clock(17))),
        ("０９：００－１７：００", (clock(9), clock(17))),
        ("9時～17時30分", (clock(9), clock(17, 30))),
        ("00:00～24:00", (clock(0), clock(0))),
        ("22:00～06:00", (clock(22), clock(6))),
        ("要相談", None),
        ("09:00～12:00、13:00～17:00", None),
        ("25:00～26:00", None),
        ("09:60～17:00", None),
    ],
)
def test_hours_are_read_in_their_usual_spellings(text, times):
    assert wam.parse_hours(text) == times


def test_unreadable_hours_are_kept_as_text_with_a_warning_and_notes_go_to_their_fields(sample, tmp_path):
    header, rows = sample
    row = with_cells(
        rows[0],
        {
            wam.HOURS_WEEKDAY: "９：００〜１８：００",
            wam.HOURS_SATURDAY: "要相談",
            wam.HOURS_HOLIDAY: "10:00-15:00",
            wam.CLOSED_DAYS: "日曜日、年末年始",
            wam.HOURS_NOTE: "祝日は予約制",
        },
    )
    path = write_wam(tmp_path / "hours.csv", header, [row])

    result = wam.import_files([path], date=DATE)

    resource = Resource.objects.get()
    hours = {h.day_type: (h.opens, h.closes, h.text) for h in resource.hours.all()}
    assert hours == {
        "weekday": (clock(9), clock(18), "９：００〜１８：００"),
        "saturday": (None, None, "要相談"),
        "holiday": (clock(10), clock(15), "10:00-15:00"),
    }
    assert (resource.closed_days, resource.hours_note) == ("日曜日、年末年始", "祝日は予約制")
    assert [(p.column, p.value) for p in result.warnings] == [("利用可能な時間帯（土曜）", "要相談")]


def test_a_quoted_field_with_a_line_break_is_one_record_and_later_lines_are_counted_right(sample, tmp_path):
    header, rows = sample
    broken_note = with_cells(rows[0], {wam.HOURS_NOTE: "土曜日は\n午前のみ\n（要予約）"})
    no_number = with_cells(rows[1], {wam.OFFICE_NUMBER: ""})
    path = write_wam(tmp_path / "multiline.csv", header, [broken_note, no_number, rows[2]])
    assert path.read_text(encoding="utf-8-sig").count("\n") == 6

    result = wam.import_files([path], date=DATE)

    assert result.resources.created == 2
    note = Resource.objects.get(office_number=cell(rows[0], wam.OFFICE_NUMBER)).hours_note
    assert note == "土曜日は\n午前のみ\n（要予約）"
    assert [str(problem) for problem in result.problems] == [
        f"{path} 5行目 列「事業所番号」 = '': 空欄です（この行は読み飛ばしました）"
    ]


def test_an_unknown_service_type_is_imported_under_an_unmapped_category_and_reported(sample, tmp_path):
    header, rows = sample
    unknown = [
        with_cells(rows[0], {wam.SERVICE_TYPE: "就労継続支援Ｃ型"}),
        with_cells(rows[1], {wam.SERVICE_TYPE: "就労継続支援Ｃ型"}),
    ]
    path = write_wam(tmp_path / "unknown.csv", header, [*unknown, rows[2]])

    out, err = import_wam(path)

    assert totals(out) == (3, 0, 0, 0, 1)
    assert f"{path} 2行目 列「サービス種別」 = '就労継続支援Ｃ型': 警告: 知らないサービス種別です。" in err
    category = Category.objects.get(unmapped=True)
    assert f"知らないサービス種別「就労継続支援Ｃ型」: 2行をカテゴリ「{category.slug}」に入れました" in out
    assert (category.name, category.kind, category.parent.slug) == ("就労継続支援Ｃ型", "formal", "unmapped")
    assert category.parent.unmapped is False
    assert Resource.objects.filter(primary_category=category).count() == 2

    categories = Category.objects.count()
    out, _ = import_wam(path)
    assert totals(out) == (0, 0, 3, 0, 1)
    assert Category.objects.count() == categories, "the unmapped category is reused"


def test_mapping_an_unmapped_type_moves_its_resources_at_the_next_import(sample, tmp_path):
    header, rows = sample
    path = write_wam(
        tmp_path / "unknown.csv", header, [with_cells(rows[0], {wam.SERVICE_TYPE: "就労継続支援C型"})]
    )
    import_wam(path)
    resource = Resource.objects.get()
    assert resource.primary_category.unmapped

    employment_b = Category.objects.get(slug="employment-b")
    employment_b.aliases += "\n就労継続支援C型"
    employment_b.save()
    out, err = import_wam(path)

    assert totals(out) == (0, 1, 0, 0, 0)
    assert err == ""
    resource.refresh_from_db()
    assert resource.primary_category == employment_b
    assert resource.source_id.endswith(":employment-b")


def test_bad_rows_are_reported_with_line_column_and_value_and_the_good_ones_imported_with_status_3(
    sample, tmp_path
):
    header, rows = sample
    unknown_code = "16999" + local_government_check_digit("16999")
    path = write_wam(
        tmp_path / "broken.csv",
        header,
        [
            rows[0],  # line 2
            rows[1][:20],  # line 3: too few columns
            with_cells(rows[2], {wam.OFFICE_NUMBER: ""}),  # line 4
            with_cells(rows[3], {wam.OFFICE_NUMBER: "161030004"}),  # line 5: 9 digits
            with_cells(rows[4], {wam.CODE: unknown_code}),  # line 6
            with_cells(rows[5], {wam.CODE: "162087"}),  # line 7: wrong check digit
            rows[6],  # line 8
        ],
    )

    error, out, err = import_wam_failing(path)

    assert error.returncode == 3
    assert str(error).startswith("5行を読み飛ばしました。取り込めない行です")
    assert totals(out) == (2, 0, 0, 5, 0)
    assert Resource.objects.count() == 2
    problems = err.splitlines()
    assert problems[0] == (
        f"{path} 3行目 列「事業所緯度」: 列が足りません（この行は20列、見出しは29列）"
        "（この行は読み飛ばしました）"
    )
    assert problems[1] == f"{path} 4行目 列「事業所番号」 = '': 空欄です（この行は読み飛ばしました）"
    assert problems[2] == (
        f"{path} 5行目 列「事業所番号」 = '161030004': 事業所番号（10桁の数字）ではありません"
        "（この行は読み飛ばしました）"
    )
    assert problems[3].startswith(f"{path} 6行目 列「都道府県コード又は市区町村コード」 = '{unknown_code}': ")
    assert "このコードの市区町村がありません" in problems[3]
    assert problems[4].startswith(f"{path} 7行目 列「都道府県コード又は市区町村コード」 = '162087': ")
    assert "検査数字" in problems[4]
    assert len(problems) == 5


def test_the_command_reports_in_japanese_even_when_the_thread_was_left_in_english(sample, tmp_path):
    header, rows = sample
    path = write_wam(
        tmp_path / "mixed.csv",
        header,
        [with_cells(rows[0], {wam.URL: "ホームページなし"}), with_cells(rows[1], {wam.OFFICE_NUMBER: ""})],
    )
    translation.activate("en")  # as a request in English leaves it

    error, out, err = import_wam_failing(path)

    assert err.splitlines() == [
        f"{path} 2行目 列「事業所URL」 = 'ホームページなし': "
        "警告: 有効なURLを入力してください。空欄にしました",
        f"{path} 3行目 列「事業所番号」 = '': 空欄です（この行は読み飛ばしました）",
    ]
    assert str(error) == "1行を読み飛ばしました。取り込めない行です（上を参照）。ほかの行は取り込みました"
    assert "資源: 新規 1、更新 0、変更なし 0、読み飛ばし 1、警告 1" in out.splitlines()
    assert translation.get_language() == "en", "the command leaves the thread's language as it found it"


def test_a_row_repeating_an_office_and_service_type_is_skipped(sample, tmp_path):
    header, rows = sample
    path = write_wam(
        tmp_path / "repeat.csv", header, [rows[0], with_cells(rows[0], {wam.NAME: "従たる事業所"})]
    )

    error, out, err = import_wam_failing(path)

    assert error.returncode == 3
    assert totals(out) == (1, 0, 0, 1, 0)
    assert "3行目 列「事業所番号」 = '1630100016': 2行目と同じ事業所・サービス種別（" in err
    assert Resource.objects.get().name == cell(rows[0], wam.NAME)


def test_the_process_exit_status_is_3_when_rows_were_skipped(sample, tmp_path, monkeypatch):
    header, rows = sample
    path = write_wam(tmp_path / "broken.csv", header, [rows[0], rows[1][:5]])
    # run_from_argv closes every connection when it ends; keep the test database's.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    out, err = StringIO(), StringIO()

    with pytest.raises(SystemExit) as exit:
        ImportWam(stdout=out, stderr=err).run_from_argv(["manage.py", "import_wam", str(path)])

    assert exit.value.code == 3
    assert "3行目 列「法人番号」: 列が足りません" in err.getvalue()


def test_an_invalid_corporate_number_is_a_warning_and_the_organization_is_found_by_name(sample, tmp_path):
    header, rows = sample
    first = rows[0]
    wrong = str((int(cell(first, wam.CORPORATE_NUMBER)[0]) + 1) % 10) + cell(first, wam.CORPORATE_NUMBER)[1:]
    other = with_cells(rows[1], {wam.ORG_NAME: "社会福祉法人どこにもない会", wam.CORPORATE_NUMBER: "123"})
    same_name = with_cells(rows[2], {wam.ORG_NAME: cell(first, wam.ORG_NAME), wam.CORPORATE_NUMBER: wrong})
    path = write_wam(tmp_path / "corporate.csv", header, [first, same_name, other])

    result = wam.import_files([path], date=DATE)

    assert result.resources.created == 3
    assert [(p.line, p.column, p.value) for p in result.warnings] == [
        (3, "法人番号", wrong),
        (4, "法人番号", "123"),
    ]
    assert "検査数字" in result.warnings[0].message
    matched = Resource.objects.get(office_number=cell(rows[2], wam.OFFICE_NUMBER)).organization
    assert matched.corporate_number == cell(first, wam.CORPORATE_NUMBER)
    created = Resource.objects.get(office_number=cell(rows[1], wam.OFFICE_NUMBER)).organization
    assert (created.name, created.corporate_number) == ("社会福祉法人どこにもない会", None)


def test_a_url_without_a_scheme_is_completed_and_one_that_is_no_url_left_blank(sample, tmp_path):
    header, rows = sample
    path = write_wam(
        tmp_path / "url.csv",
        header,
        [
            with_cells(rows[0], {wam.URL: "www.example.jp/office"}),
            with_cells(rows[1], {wam.URL: "info@example.jp"}),
        ],
    )

    result = wam.import_files([path], date=DATE)

    urls = dict(Resource.objects.values_list("office_number", "url"))
    assert urls == {
        cell(rows[0], wam.OFFICE_NUMBER): "http://www.example.jp/office",
        cell(rows[1], wam.OFFICE_NUMBER): "",
    }
    assert [(p.line, p.column) for p in result.warnings] == [(3, "事業所URL")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "ファイルがありません"),
        (b"\x80\x81\xff\xfe" * 10, "UTF-8でもCP932（Shift_JIS）でもない文字です（先頭から1バイトの位置）"),
        (
            b"pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode\n",
            "WAM NET 障害福祉サービスのオープンデータのファイルではありません。"
            "見出しに29列のどれもありません。",
        ),
        (b"", "あった見出し: （空のファイル）"),
    ],
)
def test_a_file_that_cannot_be_read_exits_with_status_2_and_nothing_is_imported(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)

    error, _, _ = import_wam_failing(SAMPLE, path)

    assert error.returncode == 2
    assert str(error).startswith(f"{path}: ")
    assert message in str(error)
    assert Resource.objects.count() == Organization.objects.count() == 0, "files are read before writing"


# ---------------------------------------------------------------- the bulk path


def test_the_search_finds_imported_resources_by_name_and_abbreviation(sample):
    _, rows = sample
    b_type = {cell(row, wam.NAME) for row in rows if cell(row, wam.SERVICE_TYPE) == "就労継続支援Ｂ型"}
    import_wam(SAMPLE)

    def found(query):
        return set(Resource.objects.filter(text_filter(query)).values_list("name", flat=True))

    assert found("ほたる相談支援センター") == {"ほたる相談支援センター"}
    assert found("B型") == b_type, "a 2-character abbreviation (the FTS vocabulary on SQLite)"
    assert found("みずはし会 射水市") >= {"ほたる相談支援センター"}, "organization and municipality"
    assert found("見つからない名前") == set()


def test_an_imported_resource_has_one_history_row_with_no_user_and_its_features(sample, tmp_path):
    header, rows = sample
    office = next(
        cell(row, wam.OFFICE_NUMBER)
        for row in rows
        if sum(cell(other, wam.OFFICE_NUMBER) == cell(row, wam.OFFICE_NUMBER) for other in rows) > 1
    )
    import_wam(write_wam(tmp_path / "all.csv", header, rows))

    resource = Resource.objects.filter(office_number=office).first()
    (record,) = resource.history.all()
    assert (record.history_type, record.history_user) == ("+", None)
    assert record.history_change_reason == f"import_wam: source date {DATE.isoformat()}"
    assert [row.feature.slug for row in record.features.all()] == ["multifunction"]
    tracked = [model_field.attname for model_field in Resource.history.model.tracked_fields]
    assert {name: getattr(record, name) for name in tracked} == {
        name: getattr(resource, name) for name in tracked
    }

    newer = [with_cells(row, {wam.CAPACITY: "99"}) for row in rows if cell(row, wam.OFFICE_NUMBER) == office]
    import_wam(write_wam(tmp_path / "newer.csv", header, newer), when=NEWER)
    latest = resource.history.first()
    resource.refresh_from_db()
    assert (latest.history_type, latest.capacity, latest.source_date) == ("~", 99, NEWER)
    assert latest.updated_at == resource.updated_at > record.updated_at
    assert latest.created_at == resource.created_at == record.created_at
    assert [row.feature.slug for row in latest.features.all()] == ["multifunction"], "the snapshot is whole"


def test_rows_split_over_many_batches_import_as_one(sample, tmp_path, monkeypatch):
    header, rows = sample
    monkeypatch.setattr(opendata, "BATCH_SIZE", 4)
    repeated = with_cells(rows[0], {wam.NAME: "従たる事業所"})
    path = write_wam(tmp_path / "batches.csv", header, [*rows, repeated])

    error, out, err = import_wam_failing(path)

    assert error.returncode == 3
    assert totals(out) == (len(rows), 0, 0, 1, 0)
    last_line = path.read_text(encoding="utf-8-sig").count("\n")
    assert last_line == 1 + (len(rows) + 1) + 1, "the header, the rows (one of them on two lines), the repeat"
    assert f"{last_line}行目 列「事業所番号」" in err and ": 2行目と同じ事業所" in err
    numbers = {cell(row, wam.CORPORATE_NUMBER) for row in rows}
    assert Organization.objects.count() == len(numbers)
    types = defaultdict(set)
    for row in rows:
        types[cell(row, wam.OFFICE_NUMBER)].add(cell(row, wam.SERVICE_TYPE))
    multifunction = {office for office, names in types.items() if len(names) > 1}
    tagged = set(
        wam_resources().filter(features__slug="multifunction").values_list("office_number", flat=True)
    )
    assert tagged == multifunction
    assert Resource.history.count() == len(rows)
    again, _ = import_wam(write_wam(tmp_path / "again.csv", header, rows), when=NEWER)
    assert totals(again) == (0, 0, len(rows), 0, 0)


def test_a_resource_the_database_refuses_is_left_out_whole_and_the_others_are_written(
    sample, tmp_path, monkeypatch
):
    header, rows = sample
    refused = cell(rows[1], wam.NAME)
    write_resources = services._write_resources

    def refusing(writes, *args):
        write_resources(writes, *args)  # rows, hours, features and history are written, then refused
        if any(write.resource.name == refused for write in writes):
            raise IntegrityError("refused for the test")

    monkeypatch.setattr(services, "_write_resources", refusing)
    path = write_wam(tmp_path / "three.csv", header, rows[:3])

    error, out, err = import_wam_failing(path)

    assert error.returncode == 3
    assert totals(out) == (2, 0, 0, 1, 0)
    assert err.splitlines() == [
        f"{path} 3行目 列「（行全体）」: データベースが受け付けませんでした（refused for the test）"
        "（この行は読み飛ばしました）"
    ]
    assert not Resource.objects.filter(name=refused).exists()
    assert Resource.objects.count() == Resource.history.count() == 2
    hours_cells = [wam.HOURS_WEEKDAY, wam.HOURS_SATURDAY, wam.HOURS_SUNDAY, wam.HOURS_HOLIDAY]
    written = sum(bool(cell(row, column)) for row in (rows[0], rows[2]) for column in hours_cells)
    assert OpeningHours.objects.count() == written, "none of the refused row's hours is left"
