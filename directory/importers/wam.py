"""Import the WAM NET 障害福祉サービス等情報公表 open data: one CSV per service type, 29 columns.

    from directory.importers import wam
    result = wam.import_files(["wam-030.csv"], date=date(2025, 9, 30))

The pipeline (reading, checks, upsert by (事業所番号, category), organizations, coordinates, missing from
source, reports) is directory/importers/opendata.py's; this module says what the WAM columns become:

- A Resource per (事業所番号, サービス種別). An office under several service types (多機能型) stays several
  resources sharing one office number, each with the `multifunction` feature. `source` is "wam",
  `source_id` "<事業所番号>:<category slug>", `source_row` the NO column.
- サービス種別 is matched (NFKC-folded: 就労継続支援Ｂ型 → 就労継続支援B型) against the categories of
  障害福祉サービス first.
- 法人 with its name, kana, address, phone and URL; the first row of a run that names a 法人番号 decides
  them.
- 利用可能な時間帯 per day type become OpeningHours with the source's text ("08:30～17:15", also 〜 ~ -,
  full-width digits, 9時30分; 24:00 is midnight, so 00:00～24:00 is round the clock); a text that is not one
  time range is kept as text with a warning. 定休日 and 利用可能曜日特記事項 are kept as they are written.
- 定員: digits, full-width too, optionally followed by 名 or 人; blank is unknown.
"""

import functools
import re
from datetime import time as clock

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.choices import DayType, Source
from directory.importers.opendata import CategoryIndex as CategoryIndex  # how the rows find theirs
from directory.importers.opendata import (
    Columns,
    Importer,
    OpenDataFileError,
    address,
    checked,
    cut_text,
    fold,
    single_line,
    url,
)
from directory.models import OpeningHours, Organization, Resource

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
MULTIFUNCTION = "multifunction"


class WamFileError(OpenDataFileError):
    """A file cannot be used at all (missing, undecodable, not the WAM format); nothing was imported."""


TIME_RANGE = re.compile(r"(\d{1,2}):(\d{1,2})[~〜\-‐‑–—―−ー](\d{1,2}):(\d{1,2})", re.ASCII)


@functools.lru_cache(maxsize=1024)  # a file repeats a few dozen spellings
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
            warnings.add(
                column, text, _("08:30～17:15 のような時間帯ではありません。文字としてだけ残しました")
            )
        if len(text) > text_length:
            warnings.add(column, text, cut_text(text_length))
        opens, closes = times or (None, None)
        rows.append({"day_type": day_type, "opens": opens, "closes": closes, "text": text[:text_length]})
    return rows


class WamImporter(Importer):
    command = "import_wam"
    source = Source.WAM
    format_name = gettext_lazy("WAM NET 障害福祉サービスのオープンデータのファイル")
    columns = COLUMNS
    file_error = WamFileError
    roles = Columns(
        CODE, NO, SERVICE_TYPE, OFFICE_NUMBER, NAME, LATITUDE, LONGITUDE, CAPACITY, ORG_NAME, CORPORATE_NUMBER
    )
    text_columns = {"name_kana": KANA, "phone": PHONE, "fax": FAX, "closed_days": CLOSED_DAYS}
    organization_text_columns = {"name_kana": ORG_KANA, "phone": ORG_PHONE}
    quirk_columns = {"address": STREET, "url": URL, "hours_note": HOURS_NOTE}
    category_root = "welfare-services"
    multifunction_feature = MULTIFUNCTION

    def format_values(self, record, values, warnings) -> dict:
        return {
            "address": checked(
                address(record[CITY], record[STREET]), Resource, "address", STREET, warnings, cut=True
            ),
            "url": url(record[URL], Resource, "url", URL, warnings),
            # The note keeps its line breaks.
            "hours_note": checked(record[HOURS_NOTE], Resource, "hours_note", HOURS_NOTE, warnings, cut=True),
        }

    def organization_format_values(self, record, warnings) -> dict:
        return {
            "address": checked(
                address(record[ORG_CITY], record[ORG_STREET]),
                Organization,
                "address",
                ORG_STREET,
                warnings,
                cut=True,
            ),
            "url": url(record[ORG_URL], Organization, "url", ORG_URL, warnings),
        }

    def opening_hours(self, record, warnings) -> list[dict]:
        return opening_hours(record, warnings)


def import_files(paths, *, date, dry_run=False, progress=False, by=None):
    """Import WAM NET files (all checked before anything is written) in one transaction; see
    Importer.import_files. Raises WamFileError when a file cannot be used."""
    return WamImporter.import_files(paths, date=date, dry_run=dry_run, progress=progress, by=by)
