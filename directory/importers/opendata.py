"""What the importers of service-office open data share (WAM NET: wam.py, 介護サービス情報公表: kaigo.py).

An importer is an Importer subclass that names its columns and says what a row's cells become; this module
does the rest, the same way for every format:

1. Every file is checked before anything is written: its encoding (UTF-8 with BOM, UTF-8 or CP932, sniffed
   over the whole file), its CSV syntax and its header. The same pass counts the rows and notes each
   office's service types, so that an office standing under several is known before its first row is
   written. A file that cannot be used raises the importer's file error; nothing is imported.
2. The rows are read again, one at a time (a file is never held whole), and each is checked in memory:
   a row that cannot be imported (too few columns, no or malformed 事業所番号, unknown municipality, no
   name, no service type, the same office and service type as an earlier row) is reported with its line,
   column and value and skipped; a value that can be mended or left blank is a warning.
3. Every BATCH_SIZE rows, the batch's organizations and saved resources are read (a few queries a batch,
   none a row), each row is compared with what is saved, and what changed is written through
   directory.services.resource_bulk_save: a resource is written whole (row, hours, features, search text,
   history) or left out and reported; an unchanged row writes nothing, not even a history row.
4. Entries of the same source that the files no longer hold are flagged `missing_from_source_since`
   (not deleted, not closed), within the service types and prefectures the files cover.

Upsert key: (事業所番号, category), the database's own unique constraint. Service types are matched,
NFKC-folded, against category names and aliases, the importer's own group of the taxonomy first; an
unknown type is imported under a child of the `unmapped` group, one per type name, for a coordinator to
map (adding the name to the right category's aliases, or moving the unmapped category): the next import
moves its resources. 法人 by a valid 法人番号 (a number failing its check digit is a warning, and the
法人 is then found by exact name, or created without one). Coordinates outside Japan or unreadable are
left blank with a warning; a pair that is inside Japan only once swapped is swapped back, with a warning.
`source_date` (the file's date) and `source_row` (its NO column) change together with the values, so
they say where a resource's current values come from.

A run is one transaction (a dry run rolls it back), so an error that stops it leaves the catalogue as it
was: import_files raises nothing once the rows are committed (a failed ANALYZE after them is only logged).
Each batch is a savepoint inside it: when the database refuses a batch, resource_bulk_save writes its rows
one by one, so only the refused one is reported and left out. Memory stays flat with the number of rows: a
file is never held whole, a batch is dropped once written, and what the run keeps per row is a few small
keys (which offices and types it has seen).
"""

import codecs
import gc
import hashlib
import io
import logging
import math
import re
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date as Date
from functools import cache, cached_property
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from tqdm import tqdm

from directory.choices import ResourceKind
from directory.importers.common import (
    EXIT_ROWS_SKIPPED,
    Counts,
    CsvSyntaxError,
    RowProblems,
    as_record,
    changed_fields,
    csv_stream,
    file_problem,
    hours_rows,
    is_blank,
    local_government_code,
    opened,
    problem_text,
)
from directory.models import Category, Feature, Municipality, OpeningHours, Organization, Resource
from directory.search import normalize, refresh_planner_statistics
from directory.services import ResourceWrite, fits, length_only, organization_bulk_save, resource_bulk_save
from directory.validators import validate_corporate_number

JAPAN_LATITUDE = (20.0, 46.0)
JAPAN_LONGITUDE = (122.0, 154.0)
UNMAPPED_GROUP = {
    "slug": "unmapped",
    "name": "未分類（取り込み）",
    "name_kana": "みぶんるい（とりこみ）",
    "name_en": "Unmapped service types (from imports)",
    "kind": ResourceKind.FORMAL,
}
UNMAPPED_GROUP_CODES = ("99", "98", "97", "96", "95", "94", "93", "92", "91", "90")
BATCH_SIZE = 2000  # rows compared and written together
CHUNK = 500  # keys in one IN (…) query
SNIFF_CHUNK = 1 << 20

logger = logging.getLogger(__name__)


class OpenDataFileError(Exception):
    """A file cannot be used at all (missing, undecodable, not of the format); nothing was imported."""


# ---------------------------------------------------------------- reading files


@dataclass
class SourceFile:
    path: Path
    label: str
    encoding: str  # as reported: "UTF-8（BOM付き）", "UTF-8" or "CP932（Shift_JIS）", translated
    codec: str  # the Python codec that reads it
    header: list[str]  # the file's columns, each under the canonical name of the format when it is one
    rows: int = 0  # records after the header, blank ones left out

    def records(self):
        """(line where the record starts, cells) of every row, read one at a time."""
        with self.path.open(encoding=self.codec, newline="") as file:
            records = csv_stream(file)
            next(records, None)  # the header
            for line, cells in records:
                if not is_blank(cells):
                    yield line, cells


def sniff_encoding(path_text, label, error_class) -> tuple[str, str]:
    """(codec, name) of the encoding a file is in, read through to the end in chunks."""
    with opened(path_text, error_class) as file:
        if file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            position = undecodable_at(file, "utf-8")
            if position is None:
                return "utf-8-sig", _("UTF-8（BOM付き）")
            message = _("UTF-8のBOMで始まりますが、UTF-8ではありません（先頭から%(byte)sバイトの位置）")
            raise error_class(file_problem(label, message % {"byte": position + len(codecs.BOM_UTF8)}))
        file.seek(0)
        if undecodable_at(file, "utf-8") is None:
            return "utf-8", "UTF-8"
        file.seek(0)
        position = undecodable_at(file, "cp932")
        if position is None:
            return "cp932", _("CP932（Shift_JIS）")
        message = _(
            "UTF-8でもCP932（Shift_JIS）でもない文字です（先頭から%(byte)sバイトの位置）。"
            "どちらかで保存し直してください"
        )
        raise error_class(file_problem(label, message % {"byte": position}))


def undecodable_at(file, codec) -> int | None:
    """The offset (from where the file stands) of the first byte the codec cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(codec)()
    consumed = 0
    while True:
        chunk = file.read(SNIFF_CHUNK)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            return consumed - pending + error.start
        if not chunk:
            return None
        consumed += len(chunk)


@contextmanager
def without_memory_map():
    """On SQLite, read the database through its page cache for the block instead of memory-mapping the
    file (as the settings have it for the web): an import, and ANALYZE after it, reads each page about once,
    and a mapping would keep every page it touches, most of the file, in the importing process's memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        previous = cursor.fetchone()  # no row where the database cannot be mapped (in memory)
        cursor.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        if previous is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA mmap_size={int(previous[0])}")


@contextmanager
def collections_of_new_objects_only():
    """Keep the objects that exist when the block starts (Django's, the taxonomy's) out of the garbage
    collector's full passes while it runs: a run allocates millions of objects, and each full pass would
    walk all of those again (about a tenth of an import's time)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------- reading values


def fold(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def single_line(text: str) -> str:
    if "\n" not in text and "\r" not in text:
        return text.strip()
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def checked(value, model, name, column, warnings, *, cut=False):
    """The value if the model field accepts it; else a warning and, for free text, the value cut to the
    field's length (cut=True), for an identifier (phone, URL) nothing."""
    if not value:
        return value
    model_field = model._meta.get_field(name)
    if length_only(model_field) and fits(model_field, value):
        return value
    try:
        model_field.run_validators(value)
    except ValidationError as error:
        if cut and model_field.max_length and len(value) > model_field.max_length:
            warnings.add(column, value, cut_text(model_field.max_length))
            return value[: model_field.max_length]
        warnings.add(column, value, _("%(reason)s空欄にしました") % {"reason": " ".join(error.messages)})
        return ""
    return value


def cut_text(limit) -> str:
    return _("%(limit)s文字を超えるため切りました") % {"limit": limit}


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


def point(record, latitude_column, longitude_column, warnings) -> tuple[float | None, float | None]:
    """(latitude, longitude) inside Japan, swapped back if the file swapped them, else (None, None)."""
    raw_latitude, raw_longitude = record[latitude_column], record[longitude_column]
    if not raw_latitude and not raw_longitude:
        return None, None
    latitude, longitude = degrees(raw_latitude), degrees(raw_longitude)
    for column, raw, number in (
        (latitude_column, raw_latitude, latitude),
        (longitude_column, raw_longitude, longitude),
    ):
        if number is None:
            problem = (
                _("もう一方の座標はあるのに空欄です。地点は空欄にしました")
                if not raw
                else _("数値ではありません。地点は空欄にしました")
            )
            warnings.add(column, raw, problem)
            return None, None
    if in_japan(latitude, longitude):
        return latitude, longitude
    given = {"latitude": raw_latitude, "longitude": raw_longitude}
    if in_japan(longitude, latitude):
        message = _("緯度と経度が逆でした（%(latitude)s, %(longitude)s）。入れ替えました") % given
        warnings.add(latitude_column, raw_latitude, message)
        return longitude, latitude
    message = _(
        "日本の範囲外の地点です（%(latitude)s, %(longitude)s。日本は緯度%(south)s～%(north)s、"
        "経度%(west)s～%(east)s）。空欄にしました"
    ) % {
        **given,
        "south": f"{JAPAN_LATITUDE[0]:g}",
        "north": f"{JAPAN_LATITUDE[1]:g}",
        "west": f"{JAPAN_LONGITUDE[0]:g}",
        "east": f"{JAPAN_LONGITUDE[1]:g}",
    }
    warnings.add(latitude_column, raw_latitude, message)
    return None, None


def capacity(record, column, warnings) -> int | None:
    """定員: digits (full-width too), optionally followed by 名 or 人; blank is unknown (None)."""
    raw = record[column]
    text = fold(raw).replace(",", "")
    if not text:
        return None
    match = re.fullmatch(r"(\d+)[名人]?", text, re.ASCII)
    if match is None or int(match[1]) > 2_147_483_647:
        warnings.add(column, raw, _("定員の数として読めません。空欄にしました"))
        return None
    return int(match[1])


def corporate_number(record, column, warnings, *, named) -> str | None:
    """A valid 法人番号, or None: a number failing its check digit is a warning (the 法人 is then found by
    its name when the row names one)."""
    number = fold(record[column])
    if not number:
        return None
    try:
        validate_corporate_number(number)
    except ValidationError as error:
        found = (
            _("%(reason)s法人は名前で探します（なければ法人番号なしで作ります）")
            if named
            else _("%(reason)s法人名もないため、法人は記録しません")
        )
        warnings.add(column, record[column], found % {"reason": " ".join(error.messages)})
        return None
    return number


IDENTIFIER_FIELDS = {"phone", "fax", "url", "email"}  # left blank, not cut, when too long


def texts(record, model, columns, warnings) -> dict:
    """{field: the column's text as one line, checked}: free text too long is cut, an identifier (phone)
    that fails is left blank, each with a warning."""
    return {
        name: checked(
            single_line(record[column]), model, name, column, warnings, cut=name not in IDENTIFIER_FIELDS
        )
        for name, column in columns.items()
    }


@dataclass(frozen=True)
class Columns:
    """The columns of a format that the pipeline reads itself."""

    code: str  # 6-digit 全国地方公共団体コード of the municipality
    number: str  # the file's own row number
    service_type: str
    office_number: str
    name: str
    latitude: str
    longitude: str
    capacity: str
    organization_name: str
    corporate_number: str


# ---------------------------------------------------------------- categories


def type_key(name: str) -> str:
    """A service type name as it is compared: NFKC, katakana, lower case, no spaces."""
    return normalize(name).replace(" ", "")


def unmapped_slug(name: str) -> str:
    """A stable slug for an unknown service type (the same on every database)."""
    return "unmapped-" + hashlib.sha1(type_key(name).encode()).hexdigest()[:10]


class CategoryIndex:
    """Finds the category of a service type by name or alias; files unknown types under `unmapped`.

    Real categories win over unmapped ones of the same name; among real ones, those under `prefer` (the
    slug of the importer's group), then the lower code."""

    def __init__(self, prefer=None):
        categories = list(Category.objects.all())
        self.by_slug = {category.slug: category for category in categories}
        self.codes = {category.code for category in categories}
        preferred = self._below(categories, prefer)
        self.by_key = {}
        self.keys = {}  # name as written -> type_key(name): a file repeats a few names
        for category in sorted(categories, key=lambda c: (c.unmapped, c.pk not in preferred, c.code)):
            for name in (category.name, *category.alias_list):
                self.by_key.setdefault(type_key(name), category)

    @staticmethod
    def _below(categories, slug) -> set[int]:
        children = defaultdict(list)
        for category in categories:
            children[category.parent_id].append(category)
        frontier = [category for category in categories if category.slug == slug]
        below = set()
        while frontier:
            category = frontier.pop()
            below.add(category.pk)
            frontier.extend(children[category.pk])
        return below

    def find(self, name) -> Category | None:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = type_key(name)
        return self.by_key.get(key)

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

    def moved(self) -> dict[int, int]:
        """{unmapped category pk: the category its type is now mapped to} (its resources move there)."""
        moves = {}
        for category in self.by_slug.values():
            if category.unmapped:
                mapped = self.find(category.alias_list[0] if category.alias_list else category.name)
                if mapped is not None and not mapped.unmapped:
                    moves[category.pk] = mapped.pk
        return moves

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
        if self.skipped:
            message = _("%(message)s（この行は読み飛ばしました）") % {"message": self.message}
        else:
            message = _("警告: %(message)s") % {"message": self.message}
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
        return _("%(counts)s、読み飛ばし %(skipped)s、警告 %(warnings)s") % {
            "counts": self.resources,
            "skipped": self.skipped_rows,
            "warnings": len(self.warnings),
        }


# ---------------------------------------------------------------- importing


@dataclass
class Identity:
    """What names a row: where it stands, which office and which service; a row lacking one is skipped."""

    municipality: Municipality | None
    office_number: str
    service_type: str
    name: str
    category: Category | None  # None: an unknown service type


@dataclass
class SavedResources:
    """What is saved of a batch's offices: their resources, and each one's hours and feature pks."""

    by_office: dict[str, list[Resource]]
    hours: dict[int, list[tuple]]  # (day_type, opens, closes, text), as common.hours_rows compares them
    features: dict[int, set[int]]


@dataclass(eq=False)
class Row:
    source: SourceFile
    line: int
    order: tuple
    office_number: str
    service_type: str
    category: Category
    municipality: Municipality
    number: str  # the file's own row number (NO column)
    values: dict
    hours: list[dict]
    organization: dict | None  # the Organization fields; corporate_number valid or None
    features: set[str] = field(default_factory=set)  # slugs of the importer's own features the row holds


class Importer:
    """The pipeline of an open-data import; a subclass names its format (see wam.py, kaigo.py)."""

    # The format.
    command: str  # the management command, named in the progress bar and the history
    source: str  # directory.choices.Source
    format_name: str  # "WAM NET 障害福祉サービスのオープンデータ" (gettext_lazy): "… ではありません"
    columns: tuple[str, ...]  # the header
    file_error: type[OpenDataFileError] = OpenDataFileError
    roles: "Columns"  # which columns the pipeline reads itself
    text_columns: dict[str, str] = {}  # Resource text field -> the column it is read from, as one line
    organization_text_columns: dict[str, str] = {}  # the same for Organization, beside name and 法人番号
    quirk_columns: dict[str, str] = {}  # fields format_values() sets -> their column, for reports
    # The rules.
    category_root: str | None = None  # slug of the taxonomy group whose categories are matched first
    multifunction_feature: str | None = None  # marks every resource of an office under several types
    owned_features: tuple[str, ...] = ()  # features the rows set and clear (see Row.features)
    organization_fills_blanks = False  # True: a saved 法人 is only completed, never overwritten

    def __init__(self, *, date, by=None, progress=False, dry_run=False):
        self.date = date
        self.by = by
        self.progress = progress
        self.reason = f"{self.command}: source date {date.isoformat()}"
        self.result = ImportResult(date=date, dry_run=dry_run)
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.categories = CategoryIndex(prefer=self.category_root)
        wanted = [*self.owned_features, *filter(None, [self.multifunction_feature])]
        self.features = {feature.slug: feature for feature in Feature.objects.filter(slug__in=wanted)}
        absent = [slug for slug in wanted if slug not in self.features]
        if absent:
            message = _("特徴 %(slugs)s がありません。`manage.py migrate` を実行してください")
            raise ImproperlyConfigured(message % {"slugs": absent})
        # (office number, category pk) of every row that names them, skipped or not -> the first row
        # imported under them, as its order (file index, line: ints, which the garbage collector does not
        # track), or None.
        self.present = {}
        self.scope_categories = set()  # the service types the files cover
        self.scope_prefectures = set()  # and the prefectures
        self.seen = set()  # pks of the resources this run imported
        self.organizations = OrganizationIndex(self)
        self.checked_codes = {}  # code as written -> (valid code or None, its problems)
        self.features_by_pk = Feature.objects.in_bulk()
        # Noted while the files are checked: each office's first service type, and the offices under
        # several (多機能型).
        self.first_type = {}
        self.several_types = set()
        self.multifunction = set()

    @classmethod
    def import_files(
        cls, paths, *, date, dry_run=False, progress=False, by=None, labels=None
    ) -> ImportResult:
        """Import files (all checked before anything is written) in one transaction.

        `labels` name the files in messages and reports (default: their paths; an upload is saved under a
        temporary path but reported under the name it was sent with). Raises the importer's file error when
        a file cannot be used. With dry_run everything is done and then rolled back."""
        importer = cls(date=date, by=by, progress=progress, dry_run=dry_run)
        labels = labels or [str(path) for path in paths]
        sources = [importer.check(path, label) for path, label in zip(paths, labels, strict=True)]
        with without_memory_map(), collections_of_new_objects_only():
            with transaction.atomic():
                result = importer.run(sources)
                if dry_run:
                    transaction.set_rollback(True)
            if not dry_run:
                try:
                    refresh_planner_statistics()
                except DatabaseError:
                    # The rows are saved; only the planner's statistics are old (rebuild_search runs it).
                    logger.exception("ANALYZE after %s failed; the import itself is saved", cls.command)
        return result

    # ---- what a format says about a row (overridden)

    def format_values(self, record, values, warnings) -> dict:
        """Resource fields the format reads its own way, given those read already (`values`)."""
        return {}

    def organization_format_values(self, record, warnings) -> dict:
        """Organization fields the format reads its own way."""
        return {}

    def opening_hours(self, record, warnings) -> list[dict]:
        return []

    def feature_slugs(self, record, warnings) -> set[str]:
        """The slugs of the importer's own features (owned_features) the row holds."""
        return set()

    def municipality_by_name(self, record, code) -> Municipality | None:
        """The municipality of a row whose code names none (a prefecture's code, say); None: skip it."""
        return None

    # ---- what every format says the same way

    @cached_property
    def field_columns(self) -> dict[str, str]:
        """Resource or Organization field -> the column its value comes from, for reports."""
        roles = self.roles
        return {
            "name": roles.name,
            "office_number": roles.office_number,
            "latitude": roles.latitude,
            "longitude": roles.longitude,
            "capacity": roles.capacity,
            "corporate_number": roles.corporate_number,
            **self.text_columns,
            **self.quirk_columns,
        }

    def resource_values(self, record, warnings) -> dict:
        """The Resource fields of a row, but for name, office number, category, municipality, organization
        and provenance."""
        latitude, longitude = point(record, self.roles.latitude, self.roles.longitude, warnings)
        values = {
            "latitude": latitude,
            "longitude": longitude,
            **texts(record, Resource, self.text_columns, warnings),
            "capacity": capacity(record, self.roles.capacity, warnings),
        }
        return {**values, **self.format_values(record, values, warnings)}

    def organization_values(self, record, warnings) -> dict | None:
        """The 法人 of a row (name, valid 法人番号 or None, what else the format gives), or None."""
        column = self.roles.organization_name
        name = checked(single_line(record[column]), Organization, "name", column, warnings, cut=True)
        number = corporate_number(record, self.roles.corporate_number, warnings, named=bool(name))
        if not name and not number:
            return None
        return {
            "name": name,
            "corporate_number": number,
            **texts(record, Organization, self.organization_text_columns, warnings),
            **self.organization_format_values(record, warnings),
        }

    # ---- checking the files

    def check(self, path_text, label=None) -> SourceFile:
        """Read a whole file once, checking its encoding, CSV syntax and header, counting its rows and
        noting its offices' service types; or raise file_error saying why it cannot be used."""
        label = str(path_text) if label is None else label
        codec, encoding = sniff_encoding(path_text, label, self.file_error)
        with opened(path_text, self.file_error) as raw, io.TextIOWrapper(raw, codec, newline="") as text:
            records = csv_stream(text)
            try:
                _, header = next(records, (1, []))
                source = SourceFile(Path(path_text), label, encoding, codec, self.named_header(label, header))
                for _, cells in records:
                    if not is_blank(cells):
                        source.rows += 1
                        if self.multifunction_feature is not None:
                            self.note_office(source, cells)
            except CsvSyntaxError as error:
                raise self.file_error(file_problem(label, error)) from None
        return source

    def named_header(self, label, header) -> list[str]:
        header = [cell.strip() for cell in header]
        canonical = {fold(name): name for name in self.columns}
        named = [canonical.get(fold(cell), cell) for cell in header]
        missing = [name for name in self.columns if name not in named]
        if missing:
            facts = {
                "format": self.format_name,
                "columns": len(self.columns),
                "missing": len(missing),
                "names": ", ".join(missing),
                "found": ",".join(header) if header else _("（空のファイル）"),
                "expected": ",".join(self.columns),
            }
            if len(missing) == len(self.columns):
                message = _(
                    "%(format)sではありません。見出しに%(columns)s列のどれもありません。\n"
                    "  あった見出し: %(found)s\n  正しい見出し: %(expected)s"
                )
            else:
                message = _(
                    "%(format)sではありません。見出しに%(columns)s列のうち%(missing)s列がありません"
                    "（%(names)s）。\n  あった見出し: %(found)s\n  正しい見出し: %(expected)s"
                )
            raise self.file_error(file_problem(label, message % facts))
        return named

    def note_office(self, source, cells):
        problems = RowProblems()
        record = as_record(source, trimmed(cells, source), problems)
        identity = record and self.identify(record, problems, RowProblems())
        if problems:
            return  # the row will be skipped
        category = identity.category
        key = category.pk if category is not None else ("unknown type", type_key(identity.service_type))
        if self.first_type.setdefault(identity.office_number, key) != key:
            self.several_types.add(identity.office_number)

    def multifunction_offices(self) -> set[str]:
        """Offices that stand, after this run, under two service types or more: from the files and from
        what is saved (a resource of a type a coordinator has since mapped counts under its new type)."""
        if self.multifunction_feature is None:
            return set()
        offices = set(self.several_types)
        moved = self.categories.moved()
        saved = Resource.objects.filter(~Q(office_number="")).values_list("office_number", "primary_category")
        for office_number, category_id in saved.iterator(chunk_size=5000):
            first = self.first_type.get(office_number)
            if first is not None and moved.get(category_id, category_id) != first:
                offices.add(office_number)
        return offices

    # ---- importing

    def run(self, sources) -> ImportResult:
        self.multifunction = self.multifunction_offices()
        self.first_type = self.several_types = None  # done with
        bar = tqdm(
            total=sum(source.rows for source in sources),
            disable=not self.progress,
            unit="row",
            desc=self.command,
        )
        batch = []
        for index, source in enumerate(sources):
            self.result.files.append(FileRead(source.label, source.encoding, source.rows))
            for line, cells in source.records():
                row = self.parse(source, (index, line), line, cells)
                if row is not None and self.first_of_its_key(row):
                    batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    self.write(batch)
                    batch = []
                bar.update()
        self.write(batch)
        bar.close()
        self.mark_multifunction()
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

    def skip(self, row, error, values):
        """Report a row the services refused, each message under the column of its field."""
        problems = RowProblems()
        if isinstance(error, ValidationError):
            by_field = error.message_dict if hasattr(error, "error_dict") else {"row": error.messages}
        else:
            by_field = {"row": [_("データベースが受け付けませんでした（%(error)s）") % {"error": error}]}
        for name, messages in by_field.items():
            value = None if name not in values else str(values[name] if values[name] is not None else "")
            column = self.field_columns.get(
                name, _("（行全体）") if name in ("row", NON_FIELD_ERRORS) else name
            )
            problems.add(column, value, " ".join(messages))
        self.report(row.source, row.order, row.line, problems, skipped=True)

    # ---- reading a row

    def identify(self, record, problems, warnings) -> Identity | None:
        """Where, which office, which service and what name; the problems that make the row unimportable."""
        raw = record[self.roles.code] = fold(record[self.roles.code])
        if raw not in self.checked_codes:  # a file repeats its ~2,000 codes
            found = RowProblems()
            self.checked_codes[raw] = local_government_code(record, self.roles.code, found), found.items
        code, found = self.checked_codes[raw]
        problems.items += found
        municipality = (
            (self.municipalities.get(code) or self.municipality_by_name(record, code)) if code else None
        )
        if code and municipality is None:
            problems.add(
                self.roles.code,
                record[self.roles.code],
                _("このコードの市区町村がありません（import_areas で取り込んでください）"),
            )
        column = self.roles.office_number
        office_number = fold(record[column])
        if not office_number:
            problems.add(column, record[column], _("空欄です"))
        elif not (len(office_number) == 10 and office_number.isascii() and office_number.isdigit()):
            problems.add(column, record[column], _("事業所番号（10桁の数字）ではありません"))
            office_number = ""
        service_type = single_line(record[self.roles.service_type])
        if not service_type:
            problems.add(self.roles.service_type, record[self.roles.service_type], _("空欄です"))
        name = checked(
            single_line(record[self.roles.name]), Resource, "name", self.roles.name, warnings, cut=True
        )
        if not name:
            problems.add(self.roles.name, record[self.roles.name], _("空欄です"))
        category = self.categories.find(service_type) if service_type else None
        return Identity(municipality, office_number, service_type, name, category)

    def parse(self, source, order, line, cells) -> Row | None:
        problems, warnings = RowProblems(), RowProblems()
        record = as_record(source, trimmed(cells, source), problems)
        if record is None:
            self.report(source, order, line, problems, skipped=True)
            return None

        identity = self.identify(record, problems, warnings)
        code = record[self.roles.code]
        if len(code) in (5, 6) and code.isascii() and code.isdigit():
            self.scope_prefectures.add(code.zfill(6)[:2])
        office_number, service_type, category = (
            identity.office_number,
            identity.service_type,
            identity.category,
        )
        if category is not None:
            self.scope_categories.add(category.pk)
            if office_number:
                self.present.setdefault((office_number, category.pk), None)
        if problems:
            self.report(source, order, line, problems, skipped=True)
            return None

        if category is None or category.unmapped:
            category = self.categories.unmapped_for(service_type)
            self.scope_categories.add(category.pk)
            self.present.setdefault((office_number, category.pk), None)
            unmapped = self.result.unmapped.get(service_type)
            if unmapped is None:
                unmapped = self.result.unmapped[service_type] = UnmappedType(service_type, category.slug)
                warnings.add(
                    self.roles.service_type,
                    service_type,
                    _(
                        "知らないサービス種別です。この種別の行は未分類のカテゴリ「%(slug)s」に取り込みます。"
                        "コーディネーターが正しい種別に割り当ててください"
                    )
                    % {"slug": category.slug},
                )
            unmapped.rows += 1

        values = {
            "name": identity.name,
            "office_number": office_number,
            **self.resource_values(record, warnings),
        }
        number = fold(record[self.roles.number])[: Resource._meta.get_field("source_row").max_length]
        row = Row(
            source=source,
            line=line,
            order=order,
            office_number=office_number,
            service_type=service_type,
            category=category,
            municipality=identity.municipality,
            number=number,
            values=values,
            hours=self.opening_hours(record, warnings),
            organization=self.organization_values(record, warnings),
            features=self.feature_slugs(record, warnings),
        )
        self.report(source, order, line, warnings, skipped=False)
        return row

    def first_of_its_key(self, row) -> bool:
        """Keep the first row of each (office number, service type); report the others."""
        key = (row.office_number, row.category.pk)
        earlier = self.present.get(key)
        if earlier is None:
            self.present[key] = row.order
            return True
        index, line = earlier
        facts = {"line": line, "file": self.result.files[index].label, "type": row.service_type}
        if index == row.order[0]:
            message = _(
                "%(line)s行目と同じ事業所・サービス種別（%(type)s）です。最初の行だけを取り込みます"
                "（従たる事業所は主たる事業所と同じ番号です）"
            )
        else:
            message = _(
                "%(file)sの%(line)s行目と同じ事業所・サービス種別（%(type)s）です。最初の行だけを取り込みます"
                "（従たる事業所は主たる事業所と同じ番号です）"
            )
        problems = RowProblems()
        problems.add(self.roles.office_number, row.office_number, message % facts)
        self.report(row.source, row.order, row.line, problems, skipped=True)
        return False

    # ---- writing a batch

    def write(self, rows):
        if not rows:
            return
        organizations = self.organizations.resolve(rows)
        saved = self.saved_resources({row.office_number for row in rows})
        writes = {}
        for row in rows:
            organization = organizations.get(row)
            if isinstance(organization, Exception):
                self.skip(row, organization, row.organization or {})
                continue
            resource = self.saved_resource(row, saved)
            write = self.compare(row, resource, organization, saved)
            if write is None:
                self.result.resources.unchanged += 1
                self.seen.add(resource.pk)
            else:
                writes[write] = row
        for write, error in resource_bulk_save(list(writes), by=self.by, reason=self.reason):
            row = writes.pop(write)
            self.skip(row, error, row.values)
        for write in writes:
            counts = self.result.resources
            if write.creating:
                counts.created += 1
            else:
                counts.updated += 1
            self.seen.add(write.resource.pk)

    def saved_resources(self, office_numbers) -> SavedResources:
        """The saved resources of the offices, with their hours and features, in three queries a chunk
        (prefetch_related costs more in Python than the queries do)."""
        offices = sorted(office_numbers)
        saved = SavedResources(defaultdict(list), defaultdict(list), defaultdict(set))
        through = Resource.features.through
        for start in range(0, len(offices), CHUNK):
            # ~Q(office_number="") repeats the condition of the unique index on (office_number,
            # primary_category), so SQLite can use that partial index.
            resources = list(
                Resource.objects.filter(
                    ~Q(office_number=""), office_number__in=offices[start : start + CHUNK]
                )
            )
            for resource in resources:
                saved.by_office[resource.office_number].append(resource)
            pks = [resource.pk for resource in resources]
            hours = OpeningHours.objects.filter(resource_id__in=pks)
            for pk, *line in hours.values_list("resource_id", "day_type", "opens", "closes", "text"):
                saved.hours[pk].append(tuple(line))
            for pk, feature_id in through.objects.filter(resource_id__in=pks).values_list(
                "resource", "feature"
            ):
                saved.features[pk].add(feature_id)
        return saved

    def saved_resource(self, row, saved) -> Resource | None:
        by_category = {
            resource.primary_category_id: resource for resource in saved.by_office[row.office_number]
        }
        resource = by_category.get(row.category.pk)
        former = self.categories.former_unmapped(row.service_type)
        if resource is None and former is not None and former.pk != row.category.pk:
            resource = by_category.get(former.pk)  # mapped since: move it
        return resource

    def compare(self, row, resource, organization, saved) -> ResourceWrite | None:
        """What to write for a row: a new resource, the changes to a saved one, or None (nothing changed)."""
        values = {
            **row.values,
            "organization": organization,
            "primary_category": row.category,
            "municipality": row.municipality,
            "source": self.source,
            "source_id": f"{row.office_number}:{row.category.slug}",
            "missing_from_source_since": None,
        }
        provenance = {"source_date": self.date, "source_row": row.number}
        wanted = {self.features[slug].pk for slug in row.features}
        if row.office_number in self.multifunction:
            wanted.add(self.features[self.multifunction_feature].pk)
        if resource is None:
            resource = new_resource({"kind": row.category.kind, **values, **provenance})
            features = self.features_of(wanted) or None
            return ResourceWrite(resource, frozenset([*values, *provenance]), features, row.hours)

        changes = changed_fields(resource, values)
        current = saved.features[resource.pk]
        features = (current - {self.features[slug].pk for slug in self.owned_features}) | wanted
        features = self.features_of(features) if features != current else None
        hours = row.hours if sorted(saved.hours[resource.pk]) != hours_rows(row.hours) else None
        if not changes and features is None and hours is None:
            return None
        for name, value in {**changes, **provenance}.items():
            setattr(resource, name, value)
        return ResourceWrite(resource, frozenset([*changes, *provenance]), features, hours)

    def features_of(self, pks) -> list[Feature]:
        return [self.features_by_pk[pk] for pk in sorted(pks)]

    # ---- after the rows

    def mark_multifunction(self):
        """Saved resources of a 多機能型 office that this run did not import get the feature too."""
        if self.multifunction_feature is None:
            return
        feature = self.features[self.multifunction_feature]
        offices = sorted(self.multifunction)
        for start in range(0, len(offices), CHUNK):
            writes = [
                ResourceWrite(resource, features=[*resource.features.all(), feature])
                for resource in Resource.objects.filter(office_number__in=offices[start : start + CHUNK])
                .exclude(features=feature)
                .prefetch_related("features")
                .order_by("pk")
                if resource.pk not in self.seen
            ]
            self.save_all(writes)
            self.result.marked_multifunction += len(writes)

    def flag_missing(self):
        """Flag the entries of this source, within the covered service types and prefectures, that no
        row named."""
        if not self.scope_categories or not self.scope_prefectures:
            return
        candidates = Resource.objects.filter(
            source=self.source,
            primary_category__in=self.scope_categories,
            municipality__prefecture__code__in=self.scope_prefectures,
            missing_from_source_since__isnull=True,
        ).values_list("pk", "office_number", "primary_category_id")
        missing = sorted(
            pk
            for pk, office_number, category_id in candidates.iterator(chunk_size=5000)
            if pk not in self.seen and (office_number, category_id) not in self.present
        )
        for start in range(0, len(missing), CHUNK):
            resources = list(Resource.objects.filter(pk__in=missing[start : start + CHUNK]).order_by("pk"))
            for resource in resources:
                resource.missing_from_source_since = self.date
            self.save_all([ResourceWrite(r, frozenset({"missing_from_source_since"})) for r in resources])
            self.result.flagged_missing += len(resources)

    def save_all(self, writes):
        """Writes that are not a row's: one refused is a fault of the catalogue, not of a file."""
        failed = resource_bulk_save(writes, by=self.by, reason=self.reason)
        if failed:
            write, error = failed[0]
            raise RuntimeError(f"resource {write.resource.pk} could not be saved: {error}") from error


def new_resource(values) -> Resource:
    """Resource(**values), built as Model.from_db builds a row: with every field's value in order, which
    Model.__init__ takes without its keyword handling. Related objects go in by primary key and into the
    field's cache (for the search text), as assigning them would."""
    positions, defaults, called = _resource_template()
    ordered = list(defaults)
    for index, model_field in called:
        ordered[index] = model_field.get_default()
    relations = []
    for name, value in values.items():
        index, model_field = positions[name]
        if model_field.is_relation and value is not None:
            relations.append((model_field, value))
            value = value.pk
        ordered[index] = value
    resource = Resource(*ordered)
    for model_field, value in relations:
        model_field.set_cached_value(resource, value)
    return resource


@cache
def _resource_template():
    """({field name: (position, field)}, every field's default, (position, field) of callable defaults)"""
    fields = Resource._meta.concrete_fields
    positions = {model_field.name: (index, model_field) for index, model_field in enumerate(fields)}
    called = tuple(
        (index, model_field) for index, model_field in enumerate(fields) if callable(model_field.default)
    )
    return positions, tuple(model_field.get_default() for model_field in fields), called


def trimmed(cells, source):
    """The cells without the empty ones past the header's width (a trailing separator)."""
    while len(cells) > len(source.header) and not cells[-1].strip():
        cells = cells[:-1]
    return cells


class OrganizationIndex:
    """The 法人 of the rows: by 法人番号 (or, without a valid one, by exact name: one without 法人番号
    first), created or updated a batch at a time. The first row of a run that names a 法人 decides its
    values; a 法人 found but not created by the run is only completed when the importer says so."""

    def __init__(self, importer):
        self.importer = importer
        self.resolved = {}  # 法人番号 or ("name", name) -> pk, None (no 法人 recorded) or the Exception
        self.counted = set()

    @staticmethod
    def key(values):
        if values is None:
            return None
        return values["corporate_number"] or ("name", values["name"])

    def resolve(self, rows) -> dict[Row, Organization | Exception | None]:
        """Each row's Organization (saved), None, or the error that kept its 法人 from being saved."""
        decided = {}  # key -> Organization | None, decided in this batch
        created, updated, statuses = [], [], []
        first_rows = {}
        for row in rows:
            key = self.key(row.organization)
            if key is not None and key not in self.resolved:
                first_rows.setdefault(key, row)
        by_number = self._saved_by_number([key for key in first_rows if isinstance(key, str)])
        by_name = self._saved_by_name([key[1] for key in first_rows if isinstance(key, tuple)])
        named_here = defaultdict(list)  # name -> the 法人 this batch decided on, in the rows' order
        for key, row in first_rows.items():
            values = row.organization
            if isinstance(key, tuple):
                named = by_name.get(key[1], [])
                saved = {organization.pk for organization in named}
                named = [*named, *(o for o in named_here[key[1]] if o.pk is None or o.pk not in saved)]
                without_number = [organization for organization in named if not organization.corporate_number]
                if without_number or len(named) == 1:
                    decided[key] = (without_number or named)[0]
                    if decided[key].pk is not None:
                        statuses.append((decided[key], "unchanged"))
                else:
                    decided[key] = Organization(**values)
                    created.append(decided[key])
            else:
                organization = by_number.get(key)
                if organization is None and not values["name"]:
                    column = self.importer.roles.organization_name
                    message = _("空欄で、この法人番号の法人もまだありません。法人は記録しません")
                    self.importer.warn(row, column, "", message)
                    decided[key] = None
                elif organization is None:
                    decided[key] = Organization(**values)
                    created.append(decided[key])
                else:
                    decided[key] = organization
                    changes = changed_fields(organization, self._updatable(organization, values))
                    for name, value in changes.items():
                        setattr(organization, name, value)
                    if changes:
                        updated.append((organization, set(changes)))
                    statuses.append((organization, "updated" if changes else "unchanged"))
            if decided[key] is not None:
                named_here[decided[key].name].append(decided[key])

        importer = self.importer
        failed = organization_bulk_save(
            created=created, updated=updated, by=importer.by, reason=importer.reason
        )
        refused = {id(organization): error for organization, error in failed}
        statuses += [(organization, "created") for organization in created]
        for organization, status in statuses:
            if id(organization) not in refused and organization.pk not in self.counted:
                self.counted.add(organization.pk)
                counts = importer.result.organizations
                setattr(counts, status, getattr(counts, status) + 1)
        for key, organization in decided.items():
            if organization is not None and id(organization) in refused:
                self.resolved[key] = refused[id(organization)]
            else:
                self.resolved[key] = organization.pk if organization is not None else None

        known = {
            organization.pk: organization for organization in decided.values() if organization is not None
        }
        wanted = {self.resolved[self.key(row.organization)] for row in rows if row.organization is not None}
        missing = [pk for pk in wanted if isinstance(pk, int) and pk not in known]
        known.update(Organization.objects.in_bulk(missing) if missing else {})
        answer = {}
        for row in rows:
            resolved = self.resolved.get(self.key(row.organization)) if row.organization is not None else None
            answer[row] = known[resolved] if isinstance(resolved, int) else resolved
        return answer

    def _updatable(self, organization, values):
        values = {name: value for name, value in values.items() if name != "name" or value}
        if self.importer.organization_fills_blanks:
            values = {name: value for name, value in values.items() if not getattr(organization, name)}
        return values

    @staticmethod
    def _saved_by_number(numbers) -> dict[str, Organization]:
        found = {}
        for start in range(0, len(numbers), CHUNK):
            for organization in Organization.objects.filter(
                corporate_number__in=numbers[start : start + CHUNK]
            ):
                found[organization.corporate_number] = organization
        return found

    @staticmethod
    def _saved_by_name(names) -> dict[str, list[Organization]]:
        found = defaultdict(list)
        for start in range(0, len(names), CHUNK):
            for organization in Organization.objects.filter(name__in=names[start : start + CHUNK]).order_by(
                "pk"
            ):
                found[organization.name].append(organization)
        return found
