"""import_areas on the real open-data files of every prefecture and municipality of Japan, as the repository
ships them in fixtures/areas/."""

import csv
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from directory.management.commands.import_areas import SHIPPED_MUNICIPALITIES, SHIPPED_PREFECTURES
from directory.management.commands.import_areas import Command as ImportAreas
from directory.models import Municipality, Prefecture
from directory.validators import validate_local_government_code

pytestmark = pytest.mark.django_db

MUNICIPALITIES = SHIPPED_MUNICIPALITIES
PREFECTURES = SHIPPED_PREFECTURES
BOM = "\ufeff"


def import_areas(*paths):
    """Run the command; returns (stdout, stderr). Raises CommandError as the command does."""
    out, err = StringIO(), StringIO()
    call_command("import_areas", *(str(path) for path in paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_areas_failing(*paths):
    """Run the command expecting a CommandError; returns (error, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_areas", *(str(path) for path in paths), stdout=out, stderr=err)
    return caught.value, out.getvalue(), err.getvalue()


def counts(output, model):
    """The (created, updated, unchanged) totals the command printed for a model (都道府県, 市区町村)."""
    match = re.search(rf"^{model}: 新規 (\d+)、更新 (\d+)、変更なし (\d+)$", output, re.MULTILINE)
    assert match, output
    return tuple(int(number) for number in match.groups())


def snapshot():
    """Every imported value, keyed by code, without primary keys (which differ between imports)."""
    return (
        {
            p["code"]: p
            for p in Prefecture.objects.values(
                "code", "name", "name_kana", "name_en", "latitude", "longitude"
            )
        },
        {
            m["code"]: m
            for m in Municipality.objects.values(
                "code", "prefecture__code", "name", "name_kana", "latitude", "longitude"
            )
        },
    )


def read_lines(path):
    """The file's lines without the BOM: [header, row, row, …]."""
    return path.read_text(encoding="utf-8-sig").splitlines()


def line_of(lines, lgcode):
    return next(line for line in lines[1:] if line.endswith("," + lgcode))


def write_csv(path, lines, *, bom=True):
    path.write_text((BOM if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_imports_all_1916_municipalities_and_47_prefectures():
    out, err = import_areas(MUNICIPALITIES, PREFECTURES)

    assert Municipality.objects.count() == 1916
    assert Prefecture.objects.count() == 47
    assert counts(out, "都道府県") == (47, 0, 0)
    assert counts(out, "市区町村") == (1916, 0, 0)
    assert err == ""


def test_nagano_city_is_202011_with_its_city_hall_coordinates():
    import_areas(MUNICIPALITIES, PREFECTURES)

    nagano = Municipality.objects.get(name="長野市")
    assert nagano.code == "202011"
    assert nagano.name_kana == "ながのし"
    assert nagano.latitude == pytest.approx(36.64861111)
    assert nagano.longitude == pytest.approx(138.1944444)
    assert isinstance(nagano.latitude, float)
    assert nagano.prefecture.code == "20"
    assert nagano.prefecture.name == "長野県"
    assert nagano.full_name == "長野県長野市"


def test_a_ward_keeps_its_name_as_written_and_its_own_code():
    import_areas(MUNICIPALITIES, PREFECTURES)

    ward = Municipality.objects.get(code="011011")
    assert ward.name == "札幌市 中央区"
    assert ward.name_kana == "さっぽろし ちゅうおうく"
    assert Municipality.objects.get(code="011002").name == "札幌市"


def test_a_prefecture_code_is_two_digits_even_when_the_file_lost_the_leading_zero():
    # prefectures-jp.csv writes Hokkaido's lgcode as 10006 (for 010006) and its pid as 1.
    import_areas(PREFECTURES)

    hokkaido = Prefecture.objects.get(code="01")
    assert (hokkaido.name, hokkaido.name_kana, hokkaido.name_en) == ("北海道", "ほっかいどう", "Hokkaido")
    assert hokkaido.latitude == pytest.approx(43.063968)
    assert sorted(Prefecture.objects.values_list("code", flat=True)) == [f"{n:02d}" for n in range(1, 48)]


def test_a_second_run_creates_and_updates_nothing_and_leaves_every_row_identical():
    import_areas(MUNICIPALITIES, PREFECTURES)
    before = snapshot()
    primary_keys = set(Municipality.objects.values_list("pk", flat=True))

    out, err = import_areas(MUNICIPALITIES, PREFECTURES)

    assert counts(out, "都道府県") == (0, 0, 47)
    assert counts(out, "市区町村") == (0, 0, 1916)
    assert err == ""
    assert snapshot() == before
    assert set(Municipality.objects.values_list("pk", flat=True)) == primary_keys


def test_the_order_of_the_files_does_not_matter():
    import_areas(PREFECTURES, MUNICIPALITIES)
    prefectures_first = snapshot()
    Municipality.objects.all().delete()
    Prefecture.objects.all().delete()

    out, _ = import_areas(MUNICIPALITIES, PREFECTURES)

    assert snapshot() == prefectures_first
    assert counts(out, "都道府県") == (47, 0, 0)
    assert out.index(PREFECTURES.name) < out.index(MUNICIPALITIES.name), "prefecture files are imported first"


def test_a_municipality_file_alone_creates_its_prefectures_which_a_later_prefecture_file_completes():
    out, _ = import_areas(MUNICIPALITIES)

    assert Municipality.objects.count() == 1916
    assert counts(out, "都道府県") == (47, 0, 0)
    nagano = Prefecture.objects.get(code="20")
    assert (nagano.name, nagano.name_en, nagano.latitude) == ("長野県", "", None)

    out, _ = import_areas(PREFECTURES)

    assert counts(out, "都道府県") == (0, 47, 0)
    nagano.refresh_from_db()
    assert nagano.name_en == "Nagano"
    assert nagano.latitude is not None


def test_a_changed_value_is_updated_and_only_that_row_counts_as_updated(tmp_path):
    import_areas(PREFECTURES, MUNICIPALITIES)
    lines = read_lines(MUNICIPALITIES)
    old = line_of(lines, "202011")
    new = old.replace("36.64861111", "36.6489").replace("長野市", "長野市（テスト）")
    changed = write_csv(tmp_path / "changed.csv", [new if line == old else line for line in lines])

    out, err = import_areas(changed)

    assert counts(out, "市区町村") == (0, 1, 1915)
    assert err == ""
    nagano = Municipality.objects.get(code="202011")
    assert nagano.latitude == pytest.approx(36.6489)
    assert nagano.name == "長野市（テスト）"
    assert nagano.longitude == pytest.approx(138.1944444)


def test_a_broken_file_imports_its_good_rows_and_names_each_bad_one_and_exits_with_status_3(
    tmp_path,
):
    lines = read_lines(MUNICIPALITIES)
    bad_check_digit = line_of(lines, "202011")[: -len("202011")] + "202012"
    bad_latitude = re.sub(r",36\.\d+,", ",95,", line_of(lines, "202029"))
    too_few_columns = ",".join(line_of(lines, "202037").split(",")[:7])
    broken = write_csv(
        tmp_path / "broken.csv",
        [
            lines[0],
            bad_check_digit,  # line 2
            line_of(lines, "202045"),  # line 3
            bad_latitude,  # line 4
            too_few_columns,  # line 5
            line_of(lines, "202053"),  # line 6
        ],
    )

    error, out, err = import_areas_failing(broken)

    assert error.returncode == 3
    assert str(error).startswith("3行は読めないため読み飛ばしました")
    assert counts(out, "市区町村") == (2, 0, 0)
    assert "読み飛ばした行: 3" in out
    assert sorted(Municipality.objects.values_list("code", flat=True)) == ["202045", "202053"]
    problems = err.splitlines()
    assert len(problems) == 3, err
    assert problems[0].startswith(f"{broken} 2行目 列「lgcode」 = '202012': ")
    assert "検査数字" in problems[0]
    assert problems[1] == f"{broken} 4行目 列「lat」 = '95': 範囲外です（-90～90）"
    assert problems[2] == f"{broken} 5行目 列「url」: 列が足りません（この行は7列、見出しは10列）"


def test_the_process_exit_status_is_3_when_rows_were_skipped(tmp_path, monkeypatch):
    header = "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode"
    broken = write_csv(
        tmp_path / "one-bad-row.csv", [header, "20,長野県,20201,長野市,ながのし,95,138.19,,,202011"]
    )
    # run_from_argv closes every connection when it ends; keep the test database's.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    out, err = StringIO(), StringIO()

    with pytest.raises(SystemExit) as exit:
        ImportAreas(stdout=out, stderr=err).run_from_argv(["manage.py", "import_areas", str(broken)])

    assert exit.value.code == 3
    assert "2行目 列「lat」 = '95'" in err.getvalue()
    assert "読み飛ばした行: 1" in out.getvalue()


def test_a_prefecture_missing_from_the_database_is_created_from_the_municipality_row(tmp_path):
    header = "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode"
    municipalities = write_csv(
        tmp_path / "nagano.csv", [header, "20,長野県,20201,長野市,ながのし,36.64861111,138.1944444,,,202011"]
    )

    out, _ = import_areas(municipalities)

    assert "。この行から都道府県を1件作りました" in out
    assert Municipality.objects.get(code="202011").prefecture.name == "長野県"


def test_a_code_repeated_in_one_file_is_reported_and_the_first_row_kept(tmp_path):
    header = "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode"
    repeated = write_csv(
        tmp_path / "repeated.csv",
        [
            header,
            "20,長野県,20201,長野市,ながのし,36.6,138.1,,,202011",
            "20,長野県,20201,長野市,ながのし,36.7,138.2,,,202011",
        ],
    )

    error, _, err = import_areas_failing(repeated)

    assert error.returncode == 3
    assert "3行目 列「lgcode」 = '202011': 2行目と同じコードです" in err
    assert Municipality.objects.get(code="202011").latitude == pytest.approx(36.6)


def test_a_file_without_bom_and_with_crlf_line_ends_is_read_too(tmp_path):
    lines = read_lines(MUNICIPALITIES)
    plain = tmp_path / "plain.csv"
    plain.write_bytes("\r\n".join(lines).encode("utf-8"))

    out, err = import_areas(plain)

    assert counts(out, "市区町村") == (1916, 0, 0)
    assert err == ""
    assert Municipality.objects.get(code="011011").name == "札幌市 中央区"


def test_an_unknown_header_is_a_clear_error_and_nothing_is_imported(tmp_path):
    unknown = write_csv(tmp_path / "unknown.csv", ["code,name,lat,lon", "202011,長野市,36.6,138.1"])

    error, _, _ = import_areas_failing(PREFECTURES, unknown)

    assert error.returncode in (1, 2)
    assert f"{unknown}: 見出しがどちらの形式でもありません。" in str(error)
    assert "あった見出し: code,name,lat,lon" in str(error)
    assert "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode" in str(error)
    assert Prefecture.objects.count() == 0, "files are checked before anything is written"


def test_a_missing_file_is_a_clear_error(tmp_path):
    error, _, _ = import_areas_failing(tmp_path / "nowhere.csv")

    assert error.returncode in (1, 2)
    assert "nowhere.csv: ファイルがありません" in str(error)


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    shift_jis = tmp_path / "sjis.csv"
    shift_jis.write_bytes(
        "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode\n20,長野県\n".encode("shift_jis")
    )

    error, _, _ = import_areas_failing(shift_jis)

    assert error.returncode in (1, 2)
    assert "UTF-8のテキストではありません（先頭から" in str(error)


def test_every_lgcode_in_the_real_file_passes_the_check_digit_and_no_other_digit_does():
    with (MUNICIPALITIES).open(encoding="utf-8-sig", newline="") as file:
        codes = [row["lgcode"] for row in csv.DictReader(file)]

    assert len(codes) == len(set(codes)) == 1916
    for code in codes:
        validate_local_government_code(code)
        for wrong in set("0123456789") - {code[5]}:
            with pytest.raises(ValidationError):
                validate_local_government_code(code[:5] + wrong)
