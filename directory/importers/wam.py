"""Import the WAM NET 障害福祉サービス等情報公表 open data: one CSV per service type, 29 columns.

    from directory.importers import wam
    result = wam.import_files(["wam-030.csv"], date=date(2025, 9, 30))

What a row becomes:
- A Resource per (事業所番号, サービス種別): the pair is the upsert key (the database's own unique
  constraint), so an office under several service types (多機能型) stays several resources sharing one
  office number, each with the `multifunction` feature. `source` is "wam", `source_id`
  "<事業所番号>:<category slug>".
- サービス種別 is matched, NFKC-folded (就労継続支援Ｂ型 → 就労継続支援B型), against each category's name and
  aliases. An unknown type is not dropped: its rows are imported under a child of the `unmapped` group,
  one per type name, marked `unmapped` for a coordinator. Mapping it later, either by adding the name to
  the right category's aliases or by moving and unmarking the unmapped category itself, is picked up by the
  next import (resources filed under the unmapped category move to the right one).
- 法人 by a valid 法人番号; a 法人番号 that fails its check digit is a warning and the organization is then
  found by exact name (one without 法人番号 first), else created without one. The first row of a run that
  names a 法人番号 decides that organization's name, address, phone and URL.
- Coordinates outside Japan (latitude 20–46, longitude 122–154) or unreadable are left blank with a warning;
  a pair that is inside Japan only once swapped is swapped back, with a warning. Never a wrong pin.

Only what differs from the saved row is written, through directory.services (search text, grid cell and
history stay right): a second import of the same file changes nothing and writes no history.
`source_date` (the file's date) and `source_row` (its NO column) say where a resource's current values
come from, so they change together with the values, not on every import.

Entries of an earlier WAM import that a newer run does not hold are flagged `missing_from_source_since`
(not deleted, not closed: an office missing from one file has not necessarily closed), within the service
types and prefectures the run's files cover; the flag is cleared when the office comes back.

A row that cannot be imported (too few columns, no or malformed 事業所番号, unknown municipality code, no
name, the same office and type as an earlier row) is skipped and reported with its line, column and value;
the other rows are imported. A file that cannot be read raises WamFileError before anything is written.
"""

import codecs
import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import time as clock
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q
from tqdm import tqdm

from directory.choices import DayType, ResourceKind, Source
from directory.importers.common import (
    EXIT_ROWS_SKIPPED,
    Counts,
    CsvSyntaxError,
    RowProblems,
    as_record,
    changed_fields,
    csv_records,
    hours_rows,
    local_government_code,
    problem_text,
    read_bytes,
)
from directory.models import Category, Feature, Municipality, OpeningHours, Organization, Resource
from directory.search import normalize, refresh_planner_statistics
from directory.services import organization_create, organization_update, resource_create, resource_update
from directory.validators import validate_corporate_number

COLUMNS = (
    "都道府県コード又は市区町村コード",
    "NO（※システム内の固有の番号、連番）",
    "指定機関名",
    "法人の名称",
    "法人の名称_かな",
    "法人番号",
    "法人住所（市区町村）",
    "法人住所（番地以降）",
    "法人電話番号",
    "法人FAX番号",
    "法人URL",
    "サービス種別",
    "事業所の名称",
    "事業所の名称_かな",
    "事業所番号",
    "事業所住所（市区町村）",
    "事業所住所（番地以降）",
    "事業所電話番号",
    "事業所FAX番号",
    "事業所URL",
    "事業所緯度",
    "事業所経度",
    "利用可能な時間帯（平日）",
    "利用可能な時間帯（土曜）",
    "利用可能な時間帯（日曜）",
    "利用可能な時間帯（祝日）",
    "定休日",
    "利用可能曜日特記事項（留意事項）",
    "定員",
)
(
    CODE,
    NO,
    _AUTHORITY,
    ORG_NAME,
    ORG_KANA,
    CORPORATE_NUMBER,
    ORG_CITY,
    ORG_STREET,
    ORG_PHONE,
    _ORG_FAX,
    ORG_URL,
    SERVICE_TYPE,
    NAME,
    KANA,
    OFFICE_NUMBER,
    CITY,
    STREET,
    PHONE,
    FAX,
    URL,
    LATITUDE,
    LONGITUDE,
    HOURS_WEEKDAY,
    HOURS_SATURDAY,
    HOURS_SUNDAY,
    HOURS_HOLIDAY,
    CLOSED_DAYS,
    HOURS_NOTE,
    CAPACITY,
) = COLUMNS
HOURS_COLUMNS = {
    DayType.WEEKDAY: HOURS_WEEKDAY,
    DayType.SATURDAY: HOURS_SATURDAY,
    DayType.SUNDAY: HOURS_SUNDAY,
    DayType.HOLIDAY: HOURS_HOLIDAY,
}
# The column a service-layer validation error on a resource field is reported under.
FIELD_COLUMNS = {
    "name": NAME,
    "name_kana": KANA,
    "office_number": OFFICE_NUMBER,
    "address": STREET,
    "phone": PHONE,
    "fax": FAX,
    "url": URL,
    "latitude": LATITUDE,
    "longitude": LONGITUDE,
    "closed_days": CLOSED_DAYS,
    "hours_note": HOURS_NOTE,
    "capacity": CAPACITY,
}

JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)
MULTIFUNCTION = "multifunction"
UNMAPPED_GROUP = {
    "slug": "unmapped",
    "name": "未分類（取り込み）",
    "name_kana": "みぶんるい（とりこみ）",
    "name_en": "Unmapped service types (from imports)",
    "kind": ResourceKind.FORMAL,
}
UNMAPPED_GROUP_CODES = ("99", "98", "97", "96", "95", "94", "93", "92", "91", "90")
CHUNK = 500


class WamFileError(Exception):
    """A file cannot be used at all (missing, undecodable, not the WAM format); nothing was imported."""


# ---------------------------------------------------------------- reading files


@dataclass
class SourceFile:
    path: Path
    label: str
    encoding: str
    header: list[str]  # the file's columns, each under the canonical name of COLUMNS when it is one
    rows: list[tuple[int, list[str]]]  # (line where the record starts, cells)


def fold(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def decode(data: bytes, label: str) -> tuple[str, str]:
    """The text of the file and the name of the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as error:
            raise WamFileError(
                f"{label}: starts with a UTF-8 BOM but is not UTF-8 (byte {error.start + 3})"
            ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "CP932 (Shift_JIS)"
    except UnicodeDecodeError as error:
        raise WamFileError(
            f"{label}: is neither UTF-8 nor CP932 (Shift_JIS) text (byte {error.start}); "
            "save it in one of them"
        ) from None


def read_file(path_text) -> SourceFile:
    """Read and decode a whole file and check its header, or raise WamFileError saying why not."""
    label = str(path_text)
    data = read_bytes(path_text, WamFileError)
    text, encoding = decode(data, label)
    try:
        header, rows = csv_records(text)
    except CsvSyntaxError as error:
        raise WamFileError(f"{label}, {error}") from None

    canonical = {fold(name): name for name in COLUMNS}
    named = [canonical.get(fold(cell), cell) for cell in header]
    missing = [name for name in COLUMNS if name not in named]
    if missing:
        found = ",".join(header) if header else "(empty file)"
        lacks = (
            f"none of its {len(COLUMNS)} columns"
            if len(missing) == len(COLUMNS)
            else f"{len(missing)} of its {len(COLUMNS)} columns ({', '.join(missing)})"
        )
        raise WamFileError(
            f"{label}: is not a WAM NET 障害福祉サービス open-data file: the header has {lacks}.\n"
            f"  found: {found}\n  expected: {','.join(COLUMNS)}"
        )
    return SourceFile(path=Path(path_text), label=label, encoding=encoding, header=named, rows=rows)


# ---------------------------------------------------------------- reading values


def single_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def checked(value, model, name, column, warnings, *, cut=False):
    """The value if the model field accepts it; else a warning and, for free text, the value cut to the
    field's length (cut=True), for an identifier (phone, URL) nothing."""
    if not value:
        return value
    model_field = model._meta.get_field(name)
    try:
        model_field.run_validators(value)
    except ValidationError as error:
        if cut and model_field.max_length and len(value) > model_field.max_length:
            warnings.add(column, value, f"longer than {model_field.max_length} characters; cut")
            return value[: model_field.max_length]
        warnings.add(column, value, f"{' '.join(error.messages)}; left blank")
        return ""
    return value


def url(value, model, name, column, warnings):
    value = single_line(value)
    if value and "://" not in value and re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", value, re.ASCII):
        value = "http://" + value  # www.example.jp
    return checked(value, model, name, column, warnings)


def address(city: str, street: str) -> str:
    city, street = single_line(city), single_line(street)
    return street if city and street.startswith(city) else city + street


def in_japan(latitude, longitude) -> bool:
    return (
        JAPAN_LATITUDE[0] <= latitude <= JAPAN_LATITUDE[1]
        and JAPAN_LONGITUDE[0] <= longitude <= JAPAN_LONGITUDE[1]
    )


def degrees(text: str) -> float | None:
    try:
        number = float(fold(text))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def point(record, warnings) -> tuple[float | None, float | None]:
    """(latitude, longitude) inside Japan, swapped back if the file swapped them, else (None, None)."""
    raw_latitude, raw_longitude = record[LATITUDE], record[LONGITUDE]
    if not raw_latitude and not raw_longitude:
        return None, None
    latitude, longitude = degrees(raw_latitude), degrees(raw_longitude)
    for column, raw, number in ((LATITUDE, raw_latitude, latitude), (LONGITUDE, raw_longitude, longitude)):
        if number is None:
            problem = "empty while the other coordinate is given" if not raw else "not a number"
            warnings.add(column, raw, f"{problem}; the point is left blank")
            return None, None
    if in_japan(latitude, longitude):
        return latitude, longitude
    if in_japan(longitude, latitude):
        warnings.add(
            LATITUDE,
            raw_latitude,
            f"latitude and longitude are swapped ({raw_latitude}, {raw_longitude}); swapped back",
        )
        return longitude, latitude
    warnings.add(
        LATITUDE,
        raw_latitude,
        f"the point ({raw_latitude}, {raw_longitude}) is outside Japan "
        f"(latitude {JAPAN_LATITUDE[0]:g}–{JAPAN_LATITUDE[1]:g}, "
        f"longitude {JAPAN_LONGITUDE[0]:g}–{JAPAN_LONGITUDE[1]:g}); left blank",
    )
    return None, None


def capacity(record, warnings) -> int | None:
    """定員: digits (full-width too), optionally followed by 名 or 人; blank is unknown (None)."""
    raw = record[CAPACITY]
    text = fold(raw).replace(",", "")
    if not text:
        return None
    match = re.fullmatch(r"(\d+)[名人]?", text, re.ASCII)
    if match is None or int(match[1]) > 2_147_483_647:
        warnings.add(CAPACITY, raw, "not a number of places; left blank")
        return None
    return int(match[1])


TIME_RANGE = re.compile(r"(\d{1,2}):(\d{1,2})[~〜\-‐‑–—―−ー](\d{1,2}):(\d{1,2})", re.ASCII)


def parse_hours(text: str) -> tuple[clock, clock] | None:
    """ "08:30～17:15" (also ~ 〜 -, full-width digits, 8時30分) -> (08:30, 17:15); 24:00 is midnight, so
    round the clock is 00:00–00:00. None when the text is not one time range."""
    text = fold(text)
    text = re.sub(r"(\d{1,2})時(\d{1,2})分?", r"\1:\2", text)
    text = re.sub(r"(\d{1,2})時", r"\1:00", text)
    match = TIME_RANGE.fullmatch(text)
    if match is None:
        return None
    opens_h, opens_m, closes_h, closes_m = (int(part) for part in match.groups())
    times = []
    for hour, minute in ((opens_h, opens_m), (closes_h, closes_m)):
        if minute > 59 or hour > 24 or (hour == 24 and minute):
            return None
        times.append(clock(hour % 24, minute))
    return times[0], times[1]


def opening_hours(record, warnings) -> list[dict]:
    rows = []
    text_length = OpeningHours._meta.get_field("text").max_length
    for day_type, column in HOURS_COLUMNS.items():
        text = single_line(record[column])
        if not text:
            continue
        times = parse_hours(text)
        if times is None:
            warnings.add(column, text, "not a time range such as 08:30～17:15; kept as text only")
        if len(text) > text_length:
            warnings.add(column, text, f"longer than {text_length} characters; cut")
        opens, closes = times or (None, None)
        rows.append({"day_type": day_type, "opens": opens, "closes": closes, "text": text[:text_length]})
    return rows


# ---------------------------------------------------------------- categories


def type_key(name: str) -> str:
    """A service type name as it is compared: NFKC, katakana, lower case, no spaces."""
    return normalize(name).replace(" ", "")


def unmapped_slug(name: str) -> str:
    """A stable slug for an unknown service type (the same on every database)."""
    return "unmapped-" + hashlib.sha1(type_key(name).encode()).hexdigest()[:10]


class CategoryIndex:
    """Finds the category of a サービス種別 by name or alias; files unknown types under `unmapped`."""

    def __init__(self):
        categories = list(Category.objects.all())
        self.by_slug = {category.slug: category for category in categories}
        self.codes = {category.code for category in categories}
        self.by_key = {}
        # Real categories win over unmapped ones of the same name, then the lower code.
        for category in sorted(categories, key=lambda c: (c.unmapped, c.code)):
            for name in (category.name, *category.alias_list):
                self.by_key.setdefault(type_key(name), category)

    def find(self, name) -> Category | None:
        return self.by_key.get(type_key(name))

    def unmapped_for(self, name) -> Category:
        """The unmapped category of an unknown type name, created (with its group) on first use."""
        category = self.find(name)
        if category is not None:
            return category
        group = self.by_slug.get(UNMAPPED_GROUP["slug"]) or self._create(
            code=next(code for code in UNMAPPED_GROUP_CODES if code not in self.codes), **UNMAPPED_GROUP
        )
        number = 1
        while f"{group.code}{number:02d}" in self.codes:
            number += 1
        name_length = Category._meta.get_field("name").max_length
        category = self._create(
            slug=unmapped_slug(name),
            code=f"{group.code}{number:02d}",
            name=name[:name_length],
            aliases=name if len(name) > name_length else "",
            kind=ResourceKind.FORMAL,
            parent=group,
            unmapped=True,
        )
        self.by_key[type_key(name)] = category
        return category

    def former_unmapped(self, name) -> Category | None:
        """The unmapped category a type was filed under before a coordinator mapped it, if any."""
        category = self.by_slug.get(unmapped_slug(name))
        return category if category is not None and category.unmapped else None

    def _create(self, **fields):
        category = Category(**fields)
        category.full_clean()
        category.save()
        self.by_slug[category.slug] = category
        self.codes.add(category.code)
        return category


# ---------------------------------------------------------------- the result


@dataclass
class Problem:
    label: str
    line: int
    column: str
    value: str | None
    message: str
    skipped: bool  # the row was skipped (else it was imported and this is a warning)
    order: tuple = ()

    def __str__(self):
        message = f"{self.message} (row skipped)" if self.skipped else f"warning: {self.message}"
        return problem_text(self.label, self.line, self.column, self.value, message)


@dataclass
class FileRead:
    label: str
    encoding: str
    rows: int


@dataclass
class UnmappedType:
    name: str
    slug: str
    rows: int = 0


@dataclass
class ImportResult:
    date: Date
    dry_run: bool = False
    files: list[FileRead] = field(default_factory=list)
    resources: Counts = field(default_factory=Counts)
    organizations: Counts = field(default_factory=Counts)
    skipped_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    unmapped: dict[str, UnmappedType] = field(default_factory=dict)
    flagged_missing: int = 0
    marked_multifunction: int = 0

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.skipped]

    @property
    def skips(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.skipped]

    @property
    def exit_status(self) -> int:
        return EXIT_ROWS_SKIPPED if self.skipped_rows else 0

    def summary(self) -> str:
        return (
            f"created {self.resources.created}, updated {self.resources.updated}, "
            f"unchanged {self.resources.unchanged}, skipped {self.skipped_rows}, "
            f"warnings {len(self.warnings)}"
        )


# ---------------------------------------------------------------- importing


@dataclass
class Row:
    source: SourceFile
    line: int
    order: tuple
    office_number: str
    service_type: str
    category: Category
    municipality: Municipality
    number: str  # the NO column
    values: dict
    hours: list[dict]
    organization: dict | None  # name, name_kana, address, phone, url, corporate_number (valid or None)
    resource: Resource | None = None  # the saved resource this row updates


class Importer:
    def __init__(self, *, date, by=None, progress=False, dry_run=False):
        self.date = date
        self.by = by
        self.progress = progress
        self.result = ImportResult(date=date, dry_run=dry_run)
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.categories = CategoryIndex()
        self.multifunction = Feature.objects.filter(slug=MULTIFUNCTION).first()
        if self.multifunction is None:
            raise ImproperlyConfigured(f"the feature {MULTIFUNCTION!r} is missing: run `manage.py migrate`")
        self.present = set()  # (office number, category pk) of every row that names them, skipped or not
        self.scope_categories = set()  # the service types the files cover
        self.scope_prefectures = set()  # and the prefectures
        self.seen = set()  # pks of the resources this run imported
        self.organizations = {}  # 法人番号 or ("name", name) -> Organization
        self.organizations_counted = set()

    def run(self, sources) -> ImportResult:
        rows = []
        for index, source in enumerate(sources):
            self.result.files.append(FileRead(source.label, source.encoding, len(source.rows)))
            for line, cells in source.rows:
                row = self.parse(source, (index, line), line, cells)
                if row is not None:
                    rows.append(row)
        rows = self.drop_repeats(rows)
        existing = self.match_existing(rows)
        multifunction = self.multifunction_offices(rows, existing)
        for row in tqdm(rows, disable=not self.progress, unit="row", desc="import_wam"):
            self.write(row, multifunction)
        self.mark_multifunction(existing, multifunction)
        self.flag_missing()
        self.result.problems.sort(key=lambda problem: problem.order)
        return self.result

    # ---- reporting

    def report(self, source, order, line, problems: RowProblems, *, skipped):
        for column, value, message in problems.items:
            self.result.problems.append(Problem(source.label, line, column, value, message, skipped, order))
        if skipped and problems:
            self.result.skipped_rows += 1

    def warn(self, row, column, value, message):
        problem = Problem(row.source.label, row.line, column, value, message, False, row.order)
        self.result.problems.append(problem)

    # ---- parsing

    def parse(self, source, order, line, cells) -> Row | None:
        problems, warnings = RowProblems(), RowProblems()
        while len(cells) > len(source.header) and not cells[-1].strip():
            cells = cells[:-1]  # a trailing separator
        record = as_record(source, cells, problems)
        if record is None:
            self.report(source, order, line, problems, skipped=True)
            return None

        record[CODE] = fold(record[CODE])
        code = local_government_code(record, CODE, problems)
        municipality = self.municipalities.get(code) if code else None
        if code and municipality is None:
            problems.add(CODE, record[CODE], "no municipality has this code (import it with import_areas)")
        if len(record[CODE]) in (5, 6) and record[CODE].isascii() and record[CODE].isdigit():
            self.scope_prefectures.add(record[CODE].zfill(6)[:2])

        office_number = fold(record[OFFICE_NUMBER])
        if not office_number:
            problems.add(OFFICE_NUMBER, record[OFFICE_NUMBER], "empty")
        elif not (len(office_number) == 10 and office_number.isascii() and office_number.isdigit()):
            problems.add(OFFICE_NUMBER, record[OFFICE_NUMBER], "not a 事業所番号 (10 digits)")
            office_number = ""
        service_type = single_line(record[SERVICE_TYPE])
        if not service_type:
            problems.add(SERVICE_TYPE, record[SERVICE_TYPE], "empty")
        name = checked(single_line(record[NAME]), Resource, "name", NAME, warnings, cut=True)
        if not name:
            problems.add(NAME, record[NAME], "empty")

        category = self.categories.find(service_type) if service_type else None
        if category is not None:
            self.scope_categories.add(category.pk)
            if office_number:
                self.present.add((office_number, category.pk))
        if problems:
            self.report(source, order, line, problems, skipped=True)
            return None

        if category is None or category.unmapped:
            category = self.categories.unmapped_for(service_type)
            self.scope_categories.add(category.pk)
            self.present.add((office_number, category.pk))
            unmapped = self.result.unmapped.get(service_type)
            if unmapped is None:
                unmapped = self.result.unmapped[service_type] = UnmappedType(service_type, category.slug)
                warnings.add(
                    SERVICE_TYPE,
                    service_type,
                    f"not a known service type: its rows are imported under the unmapped category "
                    f"{category.slug!r} for a coordinator to map",
                )
            unmapped.rows += 1

        latitude, longitude = point(record, warnings)
        values = {
            "name": name,
            "name_kana": checked(single_line(record[KANA]), Resource, "name_kana", KANA, warnings, cut=True),
            "office_number": office_number,
            "address": checked(
                address(record[CITY], record[STREET]), Resource, "address", STREET, warnings, cut=True
            ),
            "latitude": latitude,
            "longitude": longitude,
            "phone": checked(single_line(record[PHONE]), Resource, "phone", PHONE, warnings),
            "fax": checked(single_line(record[FAX]), Resource, "fax", FAX, warnings),
            "url": url(record[URL], Resource, "url", URL, warnings),
            "closed_days": checked(
                single_line(record[CLOSED_DAYS]), Resource, "closed_days", CLOSED_DAYS, warnings, cut=True
            ),
            "hours_note": checked(record[HOURS_NOTE], Resource, "hours_note", HOURS_NOTE, warnings, cut=True),
            "capacity": capacity(record, warnings),
        }
        number = fold(record[NO])[: Resource._meta.get_field("source_row").max_length]
        row = Row(
            source=source,
            line=line,
            order=order,
            office_number=office_number,
            service_type=service_type,
            category=category,
            municipality=municipality,
            number=number,
            values=values,
            hours=opening_hours(record, warnings),
            organization=self.organization_values(record, warnings),
        )
        self.report(source, order, line, warnings, skipped=False)
        return row

    def organization_values(self, record, warnings) -> dict | None:
        name = checked(single_line(record[ORG_NAME]), Organization, "name", ORG_NAME, warnings, cut=True)
        number = fold(record[CORPORATE_NUMBER])
        if number:
            try:
                validate_corporate_number(number)
            except ValidationError as error:
                found = "found by its name (or created without 法人番号)" if name else "left out (no name)"
                message = f"{' '.join(error.messages)}; the 法人 is {found}"
                warnings.add(CORPORATE_NUMBER, record[CORPORATE_NUMBER], message)
                number = None
        if not name and not number:
            return None
        return {
            "name": name,
            "name_kana": checked(
                single_line(record[ORG_KANA]), Organization, "name_kana", ORG_KANA, warnings, cut=True
            ),
            "corporate_number": number or None,
            "address": checked(
                address(record[ORG_CITY], record[ORG_STREET]),
                Organization,
                "address",
                ORG_STREET,
                warnings,
                cut=True,
            ),
            "phone": checked(single_line(record[ORG_PHONE]), Organization, "phone", ORG_PHONE, warnings),
            "url": url(record[ORG_URL], Organization, "url", ORG_URL, warnings),
        }

    def drop_repeats(self, rows):
        """Keep the first row of each (office number, service type); report the others."""
        first, kept = {}, []
        for row in rows:
            key = (row.office_number, row.category.pk)
            if key in first:
                earlier = first[key]
                where = f"line {earlier.line}" + (
                    f" of {earlier.source.label}" if earlier.source is not row.source else ""
                )
                problems = RowProblems()
                problems.add(
                    OFFICE_NUMBER,
                    row.office_number,
                    f"repeats the office and service type ({row.service_type}) of {where}; only the first "
                    "is imported (a 従たる事業所 shares its main office's number)",
                )
                self.report(row.source, row.order, row.line, problems, skipped=True)
                continue
            first[key] = row
            kept.append(row)
        return kept

    # ---- matching what is saved

    def match_existing(self, rows) -> dict[str, list[Resource]]:
        """The saved resources of the rows' office numbers, by office number; sets each row's resource."""
        offices = sorted({row.office_number for row in rows})
        existing = defaultdict(list)
        for start in range(0, len(offices), CHUNK):
            # ~Q(office_number="") repeats the condition of the unique index on (office_number,
            # primary_category), so SQLite can use that partial index.
            for resource in Resource.objects.filter(
                ~Q(office_number=""), office_number__in=offices[start : start + CHUNK]
            ).prefetch_related("hours", "features"):
                existing[resource.office_number].append(resource)
        for row in rows:
            by_category = {resource.primary_category_id: resource for resource in existing[row.office_number]}
            row.resource = by_category.get(row.category.pk)
            former = self.categories.former_unmapped(row.service_type)
            if row.resource is None and former is not None and former.pk != row.category.pk:
                row.resource = by_category.get(former.pk)  # mapped since: move it
        return existing

    def multifunction_offices(self, rows, existing) -> set[str]:
        """Office numbers that stand, after this run, under two service types or more (多機能型)."""
        resources = defaultdict(set)
        for office_number, saved in existing.items():
            resources[office_number] |= {resource.pk for resource in saved}
        for row in rows:
            resources[row.office_number].add(row.resource.pk if row.resource else ("new", row.category.pk))
        return {office_number for office_number, ids in resources.items() if len(ids) >= 2}

    # ---- writing

    def organization(self, row) -> Organization | None:
        values = row.organization
        if values is None:
            return None
        number = values["corporate_number"]
        if number:
            if number in self.organizations:
                return self.organizations[number]
            organization = Organization.objects.filter(corporate_number=number).first()
            if organization is None and not values["name"]:
                self.warn(row, ORG_NAME, "", "empty, and no 法人 has this 法人番号 yet; no 法人 recorded")
                organization = None
            elif organization is None:
                organization = organization_create(by=self.by, **values)
                self.count_organization(organization, "created")
            else:
                if not values["name"]:
                    values = {name: value for name, value in values.items() if name != "name"}
                changes = changed_fields(organization, values)
                if changes:
                    organization_update(organization=organization, by=self.by, **changes)
                self.count_organization(organization, "updated" if changes else "unchanged")
            self.organizations[number] = organization
            return organization

        key = ("name", values["name"])
        if key not in self.organizations:
            named = list(Organization.objects.filter(name=values["name"]).order_by("pk"))
            without_number = [organization for organization in named if not organization.corporate_number]
            if without_number or len(named) == 1:
                organization = (without_number or named)[0]
                self.count_organization(organization, "unchanged")
            else:
                organization = organization_create(by=self.by, **values)
                self.count_organization(organization, "created")
            self.organizations[key] = organization
        return self.organizations[key]

    def count_organization(self, organization, status):
        if organization.pk not in self.organizations_counted:
            self.organizations_counted.add(organization.pk)
            counts = self.result.organizations
            setattr(counts, status, getattr(counts, status) + 1)

    def write(self, row, multifunction):
        provenance = {"source_date": self.date, "source_row": row.number}
        resource = row.resource
        try:
            values = {
                **row.values,
                "organization": self.organization(row),
                "primary_category": row.category,
                "municipality": row.municipality,
                "source": Source.WAM,
                "source_id": f"{row.office_number}:{row.category.slug}",
                "missing_from_source_since": None,
            }
            if resource is None:
                if row.office_number in multifunction:
                    values["features"] = [self.multifunction]
                resource = resource_create(by=self.by, hours=row.hours, **values, **provenance)
                self.result.resources.created += 1
            else:
                changes = changed_fields(resource, values)
                features = list(resource.features.all())
                if row.office_number in multifunction and self.multifunction not in features:
                    changes["features"] = [*features, self.multifunction]
                hours = row.hours if hours_rows(resource.hours.all()) != hours_rows(row.hours) else None
                if changes or hours is not None:
                    resource_update(resource=resource, by=self.by, hours=hours, **changes, **provenance)
                    self.result.resources.updated += 1
                else:
                    self.result.resources.unchanged += 1
        except ValidationError as error:
            problems = RowProblems()
            by_field = error.message_dict if hasattr(error, "error_dict") else {"row": error.messages}
            for name, messages in by_field.items():
                column = FIELD_COLUMNS.get(name, name)
                problems.add(column, row.values.get(name, ""), " ".join(messages))
            self.report(row.source, row.order, row.line, problems, skipped=True)
            return
        self.seen.add(resource.pk)

    def mark_multifunction(self, existing, multifunction):
        """Saved resources of a 多機能型 office that this run did not import get the feature too."""
        for office_number in sorted(multifunction):
            for resource in existing.get(office_number, []):
                features = list(resource.features.all())
                if resource.pk not in self.seen and self.multifunction not in features:
                    resource_update(resource=resource, by=self.by, features=[*features, self.multifunction])
                    self.result.marked_multifunction += 1

    def flag_missing(self):
        """Flag the WAM entries of the covered service types and prefectures that no row named."""
        if not self.scope_categories or not self.scope_prefectures:
            return
        candidates = Resource.objects.filter(
            source=Source.WAM,
            primary_category__in=self.scope_categories,
            municipality__prefecture__code__in=self.scope_prefectures,
            missing_from_source_since__isnull=True,
        ).values_list("pk", "office_number", "primary_category_id")
        missing = sorted(
            pk
            for pk, office_number, category_id in candidates
            if pk not in self.seen and (office_number, category_id) not in self.present
        )
        for start in range(0, len(missing), CHUNK):
            for resource in Resource.objects.filter(pk__in=missing[start : start + CHUNK]).order_by("pk"):
                resource_update(resource=resource, by=self.by, missing_from_source_since=self.date)
                self.result.flagged_missing += 1


def import_files(paths, *, date, dry_run=False, progress=False, by=None) -> ImportResult:
    """Import WAM NET files (all read and checked before anything is written) in one transaction.

    Raises WamFileError when a file cannot be used. With dry_run everything is done and then rolled back."""
    sources = [read_file(path) for path in paths]
    with transaction.atomic():
        result = Importer(date=date, by=by, progress=progress, dry_run=dry_run).run(sources)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run:
        refresh_planner_statistics()
    return result
