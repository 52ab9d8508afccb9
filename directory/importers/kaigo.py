"""Import the MHLW 介護サービス情報公表 open data (jigyosho_NNN.csv): one CSV per service type, 24 columns.

    from directory.importers import kaigo
    result = kaigo.import_files(["jigyosho_150.csv"], date=date(2025, 12, 31))

The pipeline (reading, checks, upsert by (事業所番号, category), organizations, coordinates, missing from
source, reports) is directory/importers/opendata.py's; this module says what the 介護 columns become:

- A Resource per (事業所番号, サービスの種類), filed under 介護保険サービス (taxonomy group
  `long-term-care`, matched first). An office under several service types stays several resources sharing
  one office number: in 介護保険 that is the rule, not the 多機能型 of 障害福祉, so no feature marks it.
  `source` is "kaigo", `source_id` "<事業所番号>:<category slug>", `source_row` the No column.
- The 市区町村 is the one of the first column's code; a prefecture's code (XX000 and its check digit) is
  read with 市区町村名 instead.
- 住所 is prefixed with 都道府県名 (unless it starts with it); 方書（ビル名等） follows after a space.
- 定員 0 means "not entered": unknown (blank), like an empty cell.
- The URL column sometimes holds an e-mail address or a phone number instead: an e-mail goes to the
  e-mail field, a phone number to the phone field when 電話番号 is empty (a different second number is
  a warning and left out), anything else is a URL (www.example.jp is completed) or left blank with a
  warning.
- 利用可能曜日 ("平日,土曜日,日曜日,祝日") becomes an OpeningHours line per day type with no times and the
  text 利用可 (the file gives days, not hours), so `open_on` finds it; 利用可能曜日特記事項 is the hours
  note; 備考, when given, the description (a blank 備考 leaves a description as it is).
- The three 共生型 columns are features (kyosei-shared-use, kyosei-meets-ltc-standard,
  kyosei-meets-welfare-standard), set by ○ (also ◯ 〇 有 あり 1 …) and cleared by a blank cell (also × 無 なし
  0); any other value is a warning and reads as blank. Other features of the resource are left alone.
- 法人 by 法人番号 with 法人の名称; a 法人 that is already saved (from WAM NET, say, whose spelling of the
  name differs) is only completed, never renamed, so two sources do not rename it back and forth.
"""

import re
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.choices import DayType, Source
from directory.importers import opendata
from directory.importers.opendata import Columns, Importer, address, checked, fold, single_line
from directory.models import Resource

COLUMNS = (
    "都道府県コード又は市町村コード",
    "No",
    "都道府県名",
    "市区町村名",
    "事業所名",
    "事業所名カナ",
    "サービスの種類",
    "住所",
    "方書（ビル名等）",
    "緯度",
    "経度",
    "電話番号",
    "FAX番号",
    "法人番号",
    "法人の名称",
    "事業所番号",
    "利用可能曜日",
    "利用可能曜日特記事項",
    "定員",
    "URL",
    "高齢者の方と障害者の方が同時一体的に利用できるサービス",
    "介護保険の通常の指定基準を満たしている",
    "障害福祉の通常の指定基準を満たしている",
    "備考",
)
(
    CODE,
    NO,
    PREFECTURE,
    CITY,
    NAME,
    KANA,
    SERVICE_TYPE,
    STREET,
    BUILDING,
    LATITUDE,
    LONGITUDE,
    PHONE,
    FAX,
    CORPORATE_NUMBER,
    ORG_NAME,
    OFFICE_NUMBER,
    DAYS,
    DAYS_NOTE,
    CAPACITY,
    URL,
    SHARED_USE,
    MEETS_LTC_STANDARD,
    MEETS_WELFARE_STANDARD,
    NOTE,
) = COLUMNS
KYOSEI_FEATURES = {
    SHARED_USE: "kyosei-shared-use",
    MEETS_LTC_STANDARD: "kyosei-meets-ltc-standard",
    MEETS_WELFARE_STANDARD: "kyosei-meets-welfare-standard",
}
# Cell values of the 共生型 columns (NFKC-folded, lower case).
YES = {"○", "◯", "〇", "●", "有", "有り", "あり", "はい", "該当", "対象", "1", "true", "yes", "y"}
NO_ = {"", "×", "✕", "無", "無し", "なし", "いいえ", "非該当", "対象外", "0", "false", "no", "n", "-", "ー"}
DAY_TYPES = {
    "平日": DayType.WEEKDAY,
    **dict.fromkeys("月火水木金", DayType.WEEKDAY),
    "土": DayType.SATURDAY,
    "日": DayType.SUNDAY,
    "祝": DayType.HOLIDAY,
    "祝日": DayType.HOLIDAY,
    "祝祭日": DayType.HOLIDAY,
}
AVAILABLE = "利用可"  # the text of an OpeningHours line of a day the file lists
E_MAIL = re.compile(r"(?:mailto:)?([^@\s:/]+@[^@\s:/]+\.[^@\s:/]+)", re.IGNORECASE)
PHONE_NUMBER = re.compile(r"(?:tel[:.]?)?\s*(\+?\d[\d\-‐‑–—―−ー() ]+\d)", re.IGNORECASE)


class KaigoFileError(opendata.OpenDataFileError):
    """A file cannot be used at all (missing, undecodable, not the 介護 format); nothing was imported."""


def digits(text: str) -> str:
    return re.sub(r"\D", "", fold(text))


def url_column(record, phone, warnings) -> dict:
    """The contact the URL column holds: {"url": …}, or an e-mail address or a phone number instead."""
    raw = single_line(record[URL])
    text = fold(raw)
    if match := E_MAIL.fullmatch(text):
        return {"url": "", "email": checked(match[1], Resource, "email", URL, warnings)}
    if (match := PHONE_NUMBER.fullmatch(text)) and 10 <= len(digits(match[1])) <= 11:
        number = match[1]
        if not phone:
            return {"url": "", "phone": checked(number, Resource, "phone", URL, warnings)}
        if digits(number) != digits(phone):
            message = _("電話番号（%(phone)s）とは別の電話番号です。取り込みませんでした")
            warnings.add(URL, raw, message % {"phone": phone})
        return {"url": ""}
    return {"url": opendata.url(raw, Resource, "url", URL, warnings)}


def available_days(record, warnings) -> list[dict]:
    """利用可能曜日 ("平日,土曜日,日曜日,祝日") -> an OpeningHours line (no times) per day type listed."""
    raw = record[DAYS]
    day_types, unknown = [], []
    for token in filter(None, (fold(part) for part in re.split(r"[,、，・/／\s]+", raw))):
        day_type = DAY_TYPES.get(token) or DAY_TYPES.get(token.removesuffix("曜日").removesuffix("曜"))
        if day_type is None:
            unknown.append(token)
        elif day_type not in day_types:
            day_types.append(day_type)
    if unknown:
        message = _(
            "曜日として読めません（%(tokens)s）。平日・土曜日・日曜日・祝日のどれかです。取り込みませんでした"
        )
        warnings.add(DAYS, raw, message % {"tokens": "、".join(unknown)})
    return [
        {"day_type": day_type, "opens": None, "closes": None, "text": AVAILABLE} for day_type in day_types
    ]


def flag(record, column, warnings) -> bool:
    value = fold(record[column]).lower()
    if value in YES:
        return True
    if value not in NO_:
        warnings.add(column, record[column], _("○でも空欄でもありません。空欄として読みました"))
    return False


class KaigoImporter(Importer):
    command = "import_kaigo"
    source = Source.KAIGO
    format_name = gettext_lazy("介護サービス情報公表（厚生労働省）のオープンデータのファイル")
    columns = COLUMNS
    file_error = KaigoFileError
    roles = Columns(
        CODE, NO, SERVICE_TYPE, OFFICE_NUMBER, NAME, LATITUDE, LONGITUDE, CAPACITY, ORG_NAME, CORPORATE_NUMBER
    )
    text_columns = {"name_kana": KANA, "phone": PHONE, "fax": FAX}
    quirk_columns = {
        "address": STREET,
        "url": URL,
        "email": URL,
        "hours_note": DAYS_NOTE,
        "description": NOTE,
    }
    category_root = "long-term-care"
    owned_features = tuple(KYOSEI_FEATURES.values())
    organization_fills_blanks = True

    def format_values(self, record, values, warnings) -> dict:
        street = address(record[PREFECTURE], record[STREET])
        building = single_line(record[BUILDING])
        quirks = {
            "address": checked(
                f"{street} {building}" if building else street,
                Resource,
                "address",
                STREET,
                warnings,
                cut=True,
            ),
            **url_column(record, values["phone"], warnings),
            "hours_note": checked(record[DAYS_NOTE], Resource, "hours_note", DAYS_NOTE, warnings, cut=True),
            "capacity": values["capacity"] or None,  # 0: not entered
        }
        if record[NOTE]:
            quirks["description"] = record[NOTE]
        return quirks

    def opening_hours(self, record, warnings) -> list[dict]:
        return available_days(record, warnings)

    def feature_slugs(self, record, warnings) -> set[str]:
        return {slug for column, slug in KYOSEI_FEATURES.items() if flag(record, column, warnings)}

    def municipality_by_name(self, record, code):
        if code[2:5] != "000":
            return None
        return self.municipalities_by_name.get((code[:2], fold(record[CITY])))

    @cached_property
    def municipalities_by_name(self):
        """(prefecture number, name without spaces: 札幌市中央区) -> Municipality."""
        return {(m.code[:2], fold(m.name)): m for m in self.municipalities.values()}
