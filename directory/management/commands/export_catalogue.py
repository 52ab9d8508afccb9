"""Export the public catalogue: the entries anyone may see (public and not closed), in an open format.

    python manage.py export_catalogue --format hsds --output DIR        (or --output FILE.zip)
    python manage.py export_catalogue --format geojson --output FILE [--base-url https://map.example.jp]
    python manage.py export_catalogue --format csv --output FILE [--base-url https://map.example.jp]

hsds: an Open Referral HSDS 3.0 data package. HSDS defines its package as tabular (a CSV file per table and
a Frictionless `datapackage.json`), while JSON is the canonical format of HSDS 3.0; this package holds the
same tables as JSON: a file per table holding an array of rows (fields as the HSDS schemas name them, rows
tied together by their `*_id` keys), named as the tabular package names its CSV files, and a
`datapackage.json` that lists them with the URL of each table's HSDS schema. Tables without rows are left
out, as HSDS allows. The objects are those the HSDA API serves (directory.hsds).

geojson, csv: the files the API gives with ?format=geojson and ?format=csv (UTF-8 with a BOM), without the
API's cap; page links start with --base-url.

Rows are read in chunks, so the catalogue need not fit in memory.
"""

import json
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from directory import exports, hsds, selectors

# The file of each HSDS table: the `path` its schema gives the tabular package, with .json for .csv.
TABLE_FILES = {
    "organization": "organizations.json",
    "organization_identifier": "organization_identifiers.json",
    "service": "services.json",
    "service_at_location": "service_at_location.json",
    "location": "locations.json",
    "address": "addresses.json",
    "accessibility": "accessibility.json",
    "phone": "phones.json",
    "schedule": "schedules.json",
    "service_area": "service_areas.json",
    "language": "languages.json",
    "cost_option": "cost_options.json",
    "attribute": "attributes.json",
    "taxonomy": "taxonomies.json",
    "taxonomy_term": "taxonomy_terms.json",
    "service_capacity": "service_capacity.json",
    "unit": "units.json",
}
SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/specification/{version}/schema/{table}.json"
ADDED_IN_3_1 = {"service_capacity", "unit"}
CHUNK_SIZE = 500
PACKAGE_DESCRIPTION = (
    "The public catalogue of 地域資源マップ in Open Referral HSDS 3.0: one JSON file per HSDS table, an "
    "array of rows tied together by their *_id keys (the JSON counterpart of the HSDS tabular data package). "
    "service_capacity and unit follow HSDS 3.1."
)


class PackageWriter:
    """Rows into one JSON array file per table, each file opened with its first row. What services share
    (an organization, a taxonomy term) is written once."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.files, self.counts, self.written = {}, Counter(), set()

    def add(self, table, nested):
        for name, row in hsds.table_rows(table, nested, self.written):
            file = self.files.get(name)
            if file is None:
                file = self.files[name] = (self.directory / TABLE_FILES[name]).open("w", encoding="utf-8")
            file.write(",\n" if self.counts[name] else "[\n")
            file.write(json.dumps(row, ensure_ascii=False))
            self.counts[name] += 1

    def add_parent_terms(self):
        """The parents of the terms in use, so that every parent_id names a row of the package."""
        terms = {term["id"]: term for term in hsds.taxonomy_terms()}
        for term in terms.values():
            parent_id = term.get("parent_id") if term["id"] in self.written else None
            while parent_id and parent_id not in self.written:
                self.add("taxonomy_term", terms[parent_id])
                parent_id = terms[parent_id].get("parent_id")

    def close(self):
        for file in self.files.values():
            file.write("\n]\n")
            file.close()
        resources = [
            {
                "name": table,
                "path": path,
                "profile": "data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "hsds_schema": SCHEMA_URL.format(
                    version="3.1" if table in ADDED_IN_3_1 else "3.0", table=table
                ),
            }
            for table, path in TABLE_FILES.items()
            if table in self.files
        ]
        descriptor = {
            "profile": "data-package",
            "name": "chiiki-shigen-map-hsds",
            "title": "地域資源マップ: HSDS 3.0",
            "description": PACKAGE_DESCRIPTION,
            "hsds_version": hsds.HSDS_VERSION,
            "created": timezone.now().isoformat(),
            "resources": resources,
        }
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        (self.directory / "datapackage.json").write_text(text, encoding="utf-8")


class Command(BaseCommand):
    help = "Export the public catalogue as an HSDS 3.0 data package (JSON), GeoJSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=["hsds", "geojson", "csv"])
        parser.add_argument(
            "--output", required=True, help="hsds: a new or empty directory, or a .zip file; otherwise a file"
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="start of the page links in geojson and csv, e.g. https://map.example.jp",
        )

    def handle(self, *args, **options):
        path, base_url = Path(options["output"]), options["base_url"].rstrip("/")
        if options["format"] == "hsds":
            summary = self.export_package(path)
        else:
            summary = self.export_file(path, options["format"], base_url)
        self.stdout.write(f"{summary} written to {path}")

    def export_package(self, path):
        if path.suffix == ".zip":
            with tempfile.TemporaryDirectory() as folder:
                summary = self.write_package(Path(folder))
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                    for file in sorted(Path(folder).iterdir()):
                        archive.write(file, file.name)
            return summary
        if path.is_file() or (path.is_dir() and any(path.iterdir())):
            raise CommandError(f"{path} is not a new or empty directory.")
        path.mkdir(parents=True, exist_ok=True)
        return self.write_package(path)

    def write_package(self, directory):
        resources = hsds.for_full(hsds.listed_resources())
        package = PackageWriter(directory)
        rows = resources.iterator(chunk_size=CHUNK_SIZE)
        for resource in tqdm(rows, total=resources.count(), disable=not self.stderr.isatty(), unit="service"):
            package.add("service", hsds.service(resource))
        package.add_parent_terms()
        package.close()
        tables = len(package.counts)
        return (
            f"{package.counts['service']} services ({sum(package.counts.values())} rows in {tables} tables)"
        )

    def export_file(self, path, export_format, base_url):
        if export_format == "csv":
            resources = selectors.card_rows(hsds.listed_resources())
            text, summary = exports.resources_csv_lines, f"{resources.count()} rows"
        else:
            resources = selectors.search_rows(hsds.listed_resources())
            text = exports.resources_geojson_text
            summary = f"{resources.exclude(latitude=None).count()} features"
        with path.open("w", encoding="utf-8", newline="") as file:
            file.writelines(text(resources, base_url=base_url))
        return summary
