"""Import 都道府県 and 市区町村 from the open data of code4fukui/localgovjp.

    python manage.py import_areas municipalities-jp.csv prefectures-jp.csv

The repository ships both files in fixtures/areas/ (SHIPPED_FILES; see the README there).

Each file is recognised by its header, prefecture files are imported first, and rows are upserted by code:
a second run of the same files changes nothing. A row that cannot be read is reported (file, line, column,
value) and skipped while the good rows are still imported; the command then exits with status 3.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from directory.importers.common import (
    EXIT_ROWS_SKIPPED,
    PREFECTURE_NUMBERS,
    Counts,
    CsvSyntaxError,
    RowProblems,
    as_record,
    csv_records,
    file_problem,
    in_site_language,
    local_government_code,
    problem_text,
    read_bytes,
)
from directory.models import Municipality, Prefecture

PREFECTURES = "prefectures"
MUNICIPALITIES = "municipalities"
SHIPPED_DIRECTORY = Path(settings.BASE_DIR) / "fixtures" / "areas"
SHIPPED_MUNICIPALITIES = SHIPPED_DIRECTORY / "municipalities-jp.csv"
SHIPPED_PREFECTURES = SHIPPED_DIRECTORY / "prefectures-jp.csv"
SHIPPED_FILES = (SHIPPED_MUNICIPALITIES, SHIPPED_PREFECTURES)
# The totals the command prints last, one line each: "<label>: <counts>" (load_demo reads them).
TALLY_LABELS = {Prefecture: gettext_noop("都道府県"), Municipality: gettext_noop("市区町村")}

# The full headers of the two published files, and the columns this importer reads from each.
# A file is recognised when its header holds every column that is read (other columns may come and go).
HEADERS = {
    PREFECTURES: (
        "pid,pref,prefkana,prefshort,prefshortkana,pref_en,pref3code,url,lgcode,ISO3166-2,capital,lat,lng"
    ),
    MUNICIPALITIES: "pid,pref,cid,city,citykana,lat,lng,url,phrase,lgcode",
}
COLUMNS_READ = {
    PREFECTURES: ("pid", "pref", "prefkana", "pref_en", "lgcode", "lat", "lng"),
    MUNICIPALITIES: ("pref", "city", "citykana", "lat", "lng", "lgcode"),
}


@dataclass
class SourceFile:
    path: Path
    label: str
    kind: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the record starts, cells)


def read_source(path_text: str) -> SourceFile:
    """Read a whole file and recognise its format, or raise CommandError saying why it cannot be used."""
    path = Path(path_text)
    data = read_bytes(path_text, CommandError)
    try:
        text = data.decode("utf-8-sig")  # strips the BOM when there is one
    except UnicodeDecodeError as error:
        message = _(
            "UTF-8のテキストではありません（先頭から%(byte)sバイトの位置）。"
            "UTF-8（BOMの有無は問いません）で保存し直してください"
        )
        raise CommandError(file_problem(path_text, message % {"byte": error.start})) from None

    try:
        header, rows = csv_records(text)
    except CsvSyntaxError as error:
        raise CommandError(file_problem(path_text, error)) from None

    kind = next((kind for kind, columns in COLUMNS_READ.items() if set(columns) <= set(header)), None)
    if kind is None:
        expected = "; ".join(f"{name}: {columns}" for name, columns in HEADERS.items())
        found = ",".join(header) if header else _("（空のファイル）")
        message = _(
            "見出しがどちらの形式でもありません。\n"
            "  あった見出し: %(found)s\n  正しい見出し（どちらか）: %(expected)s"
        )
        raise CommandError(file_problem(path_text, message % {"found": found, "expected": expected}))
    return SourceFile(path=path, label=path_text, kind=kind, header=header, rows=rows)


def text(record, column, problems, *, max_length, required=False):
    value = record[column]
    if required and not value:
        problems.add(column, value, _("空欄です"))
    elif len(value) > max_length:
        problems.add(column, value, _("%(limit)s文字を超えています") % {"limit": max_length})
    return value


def coordinate(record, column, problems, *, limit):
    value = record[column]
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        problems.add(column, value, _("数値ではありません"))
        return None
    if not math.isfinite(number) or not -limit <= number <= limit:
        problems.add(column, value, _("範囲外です（-%(limit)s～%(limit)s）") % {"limit": limit})
        return None
    return number


def point(record, problems):
    latitude = coordinate(record, "lat", problems, limit=90)
    longitude = coordinate(record, "lng", problems, limit=180)
    for column in ("lat", "lng"):
        if not record[column] and (record["lat"] or record["lng"]):
            problems.add(column, "", _("もう一方の座標はあるのに空欄です"))
    return latitude, longitude


def field_length(model, name):
    return model._meta.get_field(name).max_length


def parse_prefecture(record, problems) -> dict | None:
    code = None
    if record["lgcode"]:
        lgcode = local_government_code(record, "lgcode", problems)
        if lgcode is not None and lgcode[2:5] != "000":
            problems.add("lgcode", record["lgcode"], _("都道府県ではなく市区町村のコードです"))
        elif lgcode is not None:
            code = lgcode[:2]
    pid = record["pid"]
    if pid:
        if not (pid.isascii() and pid.isdigit() and int(pid) in PREFECTURE_NUMBERS):
            problems.add("pid", pid, _("都道府県の番号（1～47）ではありません"))
        elif code is not None and int(pid) != int(code):
            problems.add("pid", pid, _("lgcode %(code)s と合いません") % {"code": record["lgcode"]})
        elif code is None and not record["lgcode"]:
            code = f"{int(pid):02d}"
    elif not record["lgcode"]:
        problems.add("pid", "", _("空欄で、lgcode も空欄です"))
    values = {
        "name": text(record, "pref", problems, max_length=field_length(Prefecture, "name"), required=True),
        "name_kana": text(record, "prefkana", problems, max_length=field_length(Prefecture, "name_kana")),
        "name_en": text(record, "pref_en", problems, max_length=field_length(Prefecture, "name_en")),
    }
    values["latitude"], values["longitude"] = point(record, problems)
    return None if problems else {"code": code, **values}


def parse_municipality(record, problems) -> dict | None:
    code = local_government_code(record, "lgcode", problems)
    values = {
        "name": text(record, "city", problems, max_length=field_length(Municipality, "name"), required=True),
        "name_kana": text(record, "citykana", problems, max_length=field_length(Municipality, "name_kana")),
    }
    values["latitude"], values["longitude"] = point(record, problems)
    return None if problems else {"code": code, **values}


def upsert(model, rows: dict[str, dict]) -> Counts:
    """Create the rows whose code is new, update those that differ, leave the others alone."""
    counts = Counts()
    existing = model.objects.in_bulk(list(rows), field_name="code")
    new, changed, changed_fields = [], [], set()
    for code, values in rows.items():
        instance = existing.get(code)
        if instance is None:
            new.append(model(code=code, **values))
            continue
        differing = {name for name, value in values.items() if getattr(instance, name) != value}
        if differing:
            for name in differing:
                setattr(instance, name, values[name])
            changed.append(instance)
            changed_fields |= differing
        else:
            counts.unchanged += 1
    model.objects.bulk_create(new, batch_size=500)
    if changed:
        model.objects.bulk_update(changed, sorted(changed_fields), batch_size=500)
    counts.created, counts.updated = len(new), len(changed)
    return counts


class Command(BaseCommand):
    help = (
        "Import prefectures and municipalities from the CSV files of code4fukui/localgovjp "
        "(prefjp-utf8.csv, localgovjp-utf8.csv), in any order. Rows are upserted by code; "
        "unreadable rows are reported and skipped (exit status 3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="prefecture or municipality CSV file")

    @in_site_language
    def handle(self, *args, files, **options):
        # Every file must be readable and recognised before anything is written.
        sources = [read_source(path) for path in files]
        sources.sort(key=lambda source: source.kind != PREFECTURES)  # stable: prefectures first
        totals = {Prefecture: Counts(), Municipality: Counts()}
        skipped = 0
        for source in sources:
            importer = self.import_prefectures if source.kind == PREFECTURES else self.import_municipalities
            with transaction.atomic():
                model, counts, skipped_here, created_prefectures = importer(source)
            totals[model].add(counts)
            totals[Prefecture].created += created_prefectures
            skipped += skipped_here
            facts = {"file": source.label, "kind": source.kind, "rows": len(source.rows), "counts": counts}
            line = _("%(file)s（%(kind)s、%(rows)s行）: %(counts)s、読み飛ばし %(skipped)s")
            line %= {**facts, "skipped": skipped_here}
            if created_prefectures:
                line += _("。この行から都道府県を%(count)s件作りました") % {"count": created_prefectures}
            self.stdout.write(line)
        for model, label in TALLY_LABELS.items():
            self.stdout.write(f"{_(label)}: {totals[model]}")
        self.stdout.write(_("読み飛ばした行: %(count)s") % {"count": skipped})
        if skipped:
            message = ngettext(
                "%(count)s行は読めないため読み飛ばしました（上を参照）。ほかの行は取り込みました",
                "%(count)s行は読めないため読み飛ばしました（上を参照）。ほかの行は取り込みました",
                skipped,
            )
            raise CommandError(message % {"count": skipped}, returncode=EXIT_ROWS_SKIPPED)

    def parse_rows(self, source, parse):
        """Parse every row, reporting and dropping unreadable ones and repeated codes.

        Returns ({code: values}, number of rows skipped)."""
        rows, first_line, skipped = {}, {}, 0
        for line, cells in source.rows:
            problems = RowProblems()
            record = as_record(source, cells, problems)
            values = parse(record, problems) if record is not None else None
            if values is not None and values["code"] in rows:
                column = "lgcode" if record["lgcode"] else "pid"
                message = _("%(line)s行目と同じコードです") % {"line": first_line[values["code"]]}
                problems.add(column, record[column], message)
            if problems:
                for column, value, message in problems.items:
                    self.stderr.write(problem_text(source.label, line, column, value, message))
                skipped += 1
                continue
            code = values.pop("code")
            rows[code], first_line[code] = values, line
        return rows, skipped

    def import_prefectures(self, source):
        rows, skipped = self.parse_rows(source, parse_prefecture)
        return Prefecture, upsert(Prefecture, rows), skipped, 0

    def import_municipalities(self, source):
        prefecture_ids = dict(Prefecture.objects.values_list("code", "pk"))
        missing = {}  # prefecture code -> name, for prefectures known only from municipality rows

        def parse(record, problems):
            values = parse_municipality(record, problems)
            prefecture_code = values and values["code"][:2]
            if values and prefecture_code not in prefecture_ids and prefecture_code not in missing:
                name = record["pref"]
                if not name or len(name) > field_length(Prefecture, "name"):
                    message = _("都道府県 %(code)s はまだ取り込まれていないため、その名前が要ります")
                    problems.add("pref", name, message % {"code": prefecture_code})
                    return None
                missing[prefecture_code] = name
            return values

        rows, skipped = self.parse_rows(source, parse)
        # Create the prefectures that were not imported yet from the municipality rows, so no row is lost.
        Prefecture.objects.bulk_create(Prefecture(code=code, name=name) for code, name in missing.items())
        if missing:
            prefecture_ids = dict(Prefecture.objects.values_list("code", "pk"))
        for code, values in rows.items():
            values["prefecture_id"] = prefecture_ids[code[:2]]
        return Municipality, upsert(Municipality, rows), skipped, len(missing)
