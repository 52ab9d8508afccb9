"""CSV for people who open it in Excel: UTF-8 with a BOM, a header row in Japanese; GeoJSON for maps.

Each format has one row function, shared by the HTTP responses and the files of `export_catalogue`."""

import csv
import json
import re
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

from directory.facts import FactWriter

# 時間, 対象, 送迎 and 状態 are the texts of a result card's facts (directory.facts), empty where the card
# says nothing: no hours registered, no 送迎, 状態 利用受付中.
CSV_HEADER = [
    "名称", "よみがな", "サービス種別", "法人", "事業所番号", "住所", "市区町村", "電話番号", "時間", "対象",
    "送迎", "定員", "空き", "空きの報告日", "状態", "利用者負担", "確認日", "距離(km)", "URL",
]  # fmt: skip


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection"); the
# full-width forms too, which a Japanese IME types and some spreadsheets take for the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# A phone number (+81-3-1234-5678) or a signed number (-2): digits, spaces, brackets and hyphens can make no
# call, reference or link, so they are left for the spreadsheet to read as the person typed them.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 ()\-]*")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as written: text that would start a formula gets a leading single
    quote. Numbers (int, float, Decimal) stay numbers; None is an empty cell. Every CSV this project writes
    passes each cell through here."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_line(writer, cells) -> str:
    return writer.writerow([spreadsheet_safe(cell) for cell in cells])


class _Echo:
    def write(self, value):
        return value


def csv_writer():
    """A csv.writer whose writerow() returns the line instead of writing it."""
    return csv.writer(_Echo())


def resource_csv_row(resource, base_url, fact_writer=None):
    """The cells of CSV_HEADER for a resource fetched with selectors.card_rows' joins. One `fact_writer`
    (directory.facts.FactWriter) serves many rows."""
    facts = {fact.key: fact.text for fact in (fact_writer or FactWriter()).facts(resource)}
    vacancy = resource.latest_vacancy
    distance = getattr(resource, "distance_km", None)
    return [
        resource.name,
        resource.name_kana,
        resource.primary_category.name,
        resource.organization.name if resource.organization else "",
        resource.office_number,
        resource.address,
        resource.municipality.name if resource.municipality else "",
        resource.phone,
        facts.get("hours"),
        facts["groups"],
        facts.get("transport"),
        "" if resource.capacity is None else resource.capacity,
        "" if vacancy is None else _or_unknown(vacancy.current_places()),
        "" if vacancy is None else timezone.localtime(vacancy.as_of).date().isoformat(),
        facts.get("status"),
        "、".join(str(fee) for fee in resource.fees.all()),
        "" if resource.verified_at is None else timezone.localtime(resource.verified_at).date().isoformat(),
        "" if distance is None else f"{distance:.1f}",
        base_url + resource.get_absolute_url(),
    ]


def _or_unknown(places):
    """A stale vacancy is unknown (不明), not its old number."""
    return "不明" if places is None else places


CSV_CHUNK_SIZE = 500


def csv_lines(rows):
    """Rows, the header first, as the lines of a CSV for Excel: a BOM first, each cell spreadsheet_safe."""
    writer = csv_writer()
    for n, row in enumerate(rows):
        line = csv_line(writer, row)
        yield "\ufeff" + line if n == 0 else line


def csv_response(rows, *, filename):
    """A download of the rows (the header first), streamed line by line."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def resources_csv_rows(resources, *, base_url):
    """The header, then a row a resource; rows (with selectors.card_rows' joins) are read in chunks, each
    chunk's hours, features and fees prefetched."""
    yield CSV_HEADER
    for n, resource in enumerate(resources.iterator(chunk_size=CSV_CHUNK_SIZE)):
        if n % CSV_CHUNK_SIZE == 0:  # a FactWriter remembers the texts it wrote: a chunk's, not the file's
            fact_writer = FactWriter()
        yield resource_csv_row(resource, base_url, fact_writer)


def resources_csv_lines(resources, *, base_url):
    return csv_lines(resources_csv_rows(resources, base_url=base_url))


def resources_csv_response(resources, *, base_url, filename):
    return csv_response(resources_csv_rows(resources, base_url=base_url), filename=filename)


GEOJSON_MAX_FEATURES = 10_000


def resources_geojson(resources, *, base_url):
    """A GeoJSON FeatureCollection of the resources that have a point (RFC 7946: [longitude, latitude]).

    Rows without coordinates cannot be drawn; they are counted, not dropped silently. Past
    GEOJSON_MAX_FEATURES the collection says it was cut short."""
    pinned = resources.exclude(latitude=None)
    features = []
    for resource in pinned[: GEOJSON_MAX_FEATURES + 1].iterator(chunk_size=1000):
        if len(features) == GEOJSON_MAX_FEATURES:
            break
        features.append(resource_feature(resource, base_url))
    total = resources.count()
    pinned_total = pinned.count() if len(features) == GEOJSON_MAX_FEATURES else len(features)
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "without_coordinates": total - pinned_total,
        "truncated": pinned_total > len(features),
    }


def resources_geojson_text(resources, *, base_url):
    """The FeatureCollection of every resource that has a point, as JSON text in pieces, for a file: rows are
    read in chunks and no cap applies. The counts are those of `resources_geojson`."""
    total = resources.count()
    yield '{"type": "FeatureCollection", "features": ['
    pinned, separator = 0, "\n"
    for resource in resources.exclude(latitude=None).iterator(chunk_size=1000):
        yield separator + json.dumps(resource_feature(resource, base_url), ensure_ascii=False)
        pinned, separator = pinned + 1, ",\n"
    yield f'\n], "total": {total}, "without_coordinates": {total - pinned}, "truncated": false}}\n'


def resource_feature(resource, base_url):
    vacancy = resource.latest_vacancy
    distance = getattr(resource, "distance_km", None)
    return {
        "type": "Feature",
        "id": resource.pk,
        "geometry": {"type": "Point", "coordinates": [resource.longitude, resource.latitude]},
        "properties": {
            "name": resource.name,
            "name_kana": resource.name_kana,
            "kind": resource.kind,
            "category": resource.primary_category.slug,
            "category_name": resource.primary_category.name,
            "municipality": resource.municipality.code if resource.municipality else None,
            "address": resource.address,
            "phone": resource.phone,
            "capacity": resource.capacity,
            "status": resource.status,
            "vacancy_places": None if vacancy is None else vacancy.current_places(),
            "vacancy_as_of": None if vacancy is None else vacancy.as_of.isoformat(),
            "verified_at": None if resource.verified_at is None else resource.verified_at.isoformat(),
            "distance_km": None if distance is None else round(distance, 2),
            "url": base_url + resource.get_absolute_url(),
        },
    }
