"""Measure import_wam on a throwaway database: N rows of the WAM NET format, imported twice.

    python manage.py benchmark_import --rows 230000 [--sample wam-sample.csv] [--areas municipalities-jp.csv]

By default the sample is tests/data/wam-sample.csv and the municipalities those shipped in fixtures/areas/.
Writes, in a temporary directory, one WAM NET file of N rows shaped like the sample (its service types,
hours, capacities and blank coordinates, in turn): every row a new 事業所番号 (one row in ten a second service
type of the office before it, 多機能型), municipalities drawn from the municipality file with a point near
the city hall, a 法人 for about three rows. Builds a new database beside the configured one (SQLite: a
temporary file; PostgreSQL: test_<name>), loads the municipalities, then imports the file twice — the
second run finds every row unchanged — and prints the seconds and the peak resident memory of each import
(ru_maxrss, reset before each where Linux allows it) and one JSON line with the same figures. Nothing is
read from the network; the database and the file are removed at the end.
"""

import csv
import json
import random
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from directory.importers import wam
from directory.management.commands.benchmark_search import DEFAULT_AREAS, throwaway_database
from directory.validators import corporate_number_check_digit

DEFAULT_SAMPLE = Path(settings.BASE_DIR) / "tests" / "data" / "wam-sample.csv"
SOURCE_DATE = date(2025, 9, 30)
ROWS_PER_ORGANIZATION = 3
SECOND_TYPE_EVERY = 10  # one row in ten is another service type of the office before it


class Command(BaseCommand):
    help = "Benchmark import_wam: N generated WAM NET rows imported twice into a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=230_000, help="how many rows the file holds")
        parser.add_argument(
            "--sample", type=Path, default=DEFAULT_SAMPLE, help="WAM NET file to copy the shape of"
        )
        parser.add_argument(
            "--areas", type=Path, default=DEFAULT_AREAS, help="municipalities CSV (localgovjp)"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, rows, sample, areas, seed, **options):
        if rows < 1:
            raise CommandError("--rows must be at least 1")
        for path, option in ((sample, "--sample"), (areas, "--areas")):
            if not path.is_file():
                raise CommandError(f"file not found: {path} (give {option})")
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "wam-benchmark.csv"
            started = time.perf_counter()
            write_wam_file(path, rows, sample, areas, random.Random(seed))
            size_mb = path.stat().st_size / 2**20
            self.stdout.write(
                f"{rows:,} rows written in {time.perf_counter() - started:.1f} s ({size_mb:.0f} MB)"
            )
            with throwaway_database():
                call_command("import_areas", str(areas), stdout=open("/dev/null", "w"))
                first = self.measure("first import", path)
                second = self.measure("second import", path)
                vendor = connection.vendor
        self.stdout.write(
            json.dumps(
                {
                    "benchmark": "import",
                    "database": vendor,
                    "rows": rows,
                    "file_mb": round(size_mb, 1),
                    "first": first,
                    "second": second,
                },
                ensure_ascii=False,
            )
        )

    def measure(self, label, path):
        reset = reset_peak_memory()
        started = time.perf_counter()
        result = wam.import_files([path], date=SOURCE_DATE, progress=self.stderr.isatty())
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        self.stdout.write(
            f"{label}: {seconds:.2f} s, peak RSS {peak_mb:.0f} MB"
            + ("" if reset else " (the process's peak so far: it cannot be reset here)")
            + f"; resources {result.summary()}; organizations {result.organizations}"
        )
        return {
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(peak_mb),
            "peak_reset": reset,
            "created": result.resources.created,
            "updated": result.resources.updated,
            "unchanged": result.resources.unchanged,
            "skipped": result.skipped_rows,
            "warnings": len(result.warnings),
        }


def reset_peak_memory() -> bool:
    """Reset the process's peak resident memory (Linux: /proc/self/clear_refs), so that ru_maxrss measures
    what follows; False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def write_wam_file(path, count, sample, areas, rng):
    """A WAM NET file of `count` rows in the sample's shape, written one row at a time (see the module)."""
    with sample.open(encoding="utf-8-sig", newline="") as file:
        header, *templates = csv.reader(file)
    column = {name: header.index(name) for name in wam.COLUMNS}
    with areas.open(encoding="utf-8-sig", newline="") as file:
        places = [
            (row["lgcode"], row["pref"], row["city"].replace(" ", ""), float(row["lat"]), float(row["lng"]))
            for row in csv.DictReader(file)
            if row["lat"] and row["lng"]
        ]
    organizations = max(1, count // ROWS_PER_ORGANIZATION)

    def organization(cells, number):
        base = f"{100005000000 + number:012d}"
        _, prefecture, city, *_ = places[number % len(places)]
        cells[column[wam.ORG_NAME]] = f"社会福祉法人ベンチ{number}会"
        cells[column[wam.ORG_KANA]] = f"しゃかいふくしほうじんべんち{number}かい"
        cells[column[wam.CORPORATE_NUMBER]] = corporate_number_check_digit(base) + base
        cells[column[wam.ORG_CITY]] = prefecture + city
        cells[column[wam.ORG_PHONE]] = f"0{number % 90 + 10}-{number % 900 + 100}-{number % 9000 + 1000}"

    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        office_number, previous_type = None, None
        for n in range(count):
            cells = list(templates[n % len(templates)])
            service_type = cells[column[wam.SERVICE_TYPE]]
            if n % SECOND_TYPE_EVERY or office_number is None or service_type == previous_type:
                code, prefecture, city, latitude, longitude = rng.choice(places)
                office_number = f"{int(code[:2]):02d}{n:08d}"
                point = (f"{latitude + rng.gauss(0, 0.02):.6f}", f"{longitude + rng.gauss(0, 0.025):.6f}")
            organization(cells, rng.randrange(organizations))
            cells[column[wam.CODE]] = code
            cells[column[wam.NO]] = str(n + 1)
            cells[column[wam.NAME]] += str(n)
            cells[column[wam.KANA]] += str(n)
            cells[column[wam.OFFICE_NUMBER]] = office_number
            cells[column[wam.CITY]] = prefecture + city
            if cells[column[wam.LATITUDE]]:  # the sample's blank coordinates stay blank
                cells[column[wam.LATITUDE]], cells[column[wam.LONGITUDE]] = point
            writer.writerow(cells)
            previous_type = service_type
