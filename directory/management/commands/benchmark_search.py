"""Measure search through the real API stack on a throwaway database of synthetic resources.

    python manage.py benchmark_search --resources 100000 [--areas municipalities-jp.csv] [--runs 30]

--areas defaults to the municipalities shipped in fixtures/areas/.

Builds a new database beside the configured one (SQLite: a temporary file; PostgreSQL: test_<name>), loads
the municipalities, N resources spread over them (denser in wards and cities), vacancies, then sends a fixed
set of query shapes through Django's test client to /api/v1/resources/ and prints p50/p95 per shape and one
JSON line with the same figures. The database is dropped at the end. Throttling is off while it runs: it
measures the query path, not the rate limiter.
"""

import json
import random
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from api.views import ResourceViewSet
from directory.choices import ResourceKind, Visibility
from directory.geo import grid_cell
from directory.management.commands.import_areas import SHIPPED_MUNICIPALITIES
from directory.models import Category, Municipality, Resource, Vacancy
from directory.search import (
    drop_search_index,
    ensure_search_index,
    reading_of,
    refresh_planner_statistics,
    search_text_of,
)

DEFAULT_AREAS = SHIPPED_MUNICIPALITIES
STEMS = (
    "ひまわり さくら あおぞら つばさ やまびこ こもれび ふれあい みどり いずみ わかば たんぽぽ すみれ"
    " ひだまり なごみ ぬくもり ほほえみ あゆみ のぞみ ひかり かがやき せせらぎ こだま そよかぜ はばたき"
    " あじさい もみじ けやき くすのき たけのこ どんぐり ふたば みのり ゆうあい きずな えがお まごころ"
    " やすらぎ いろどり あかね しらかば"
).split()
SUFFIXES = ["の家", "作業所", "センター", "ホーム", "ステーション", "工房", "クラブ", "サロン"]
DENSE_CITIES = [
    "横浜市 中区",
    "大阪市 北区",
    "名古屋市 中区",
    "札幌市 中央区",
    "福岡市 中央区",
    "千代田区",
    "新宿区",
]
BATCH = 5000
# Rows 9,981–10,000 of the default order: the last page a search reaches (directory.pagination.COUNT_LIMIT).
DEEP_PAGE = 500


@contextmanager
def throwaway_database():
    """A new, migrated database beside the configured one for the block (SQLite: a file in a temporary
    directory; PostgreSQL: test_<name>), dropped when the block ends. The benchmarks build theirs in it."""
    old_name = connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory() as scratch:
        if connection.vendor == "sqlite":
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(scratch) / "benchmark.sqlite3")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


class Command(BaseCommand):
    help = "Benchmark search query shapes through the API on a throwaway database of N synthetic resources."

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=int, default=100_000, help="how many synthetic resources")
        parser.add_argument(
            "--areas", type=Path, default=DEFAULT_AREAS, help="municipalities CSV (localgovjp)"
        )
        parser.add_argument("--runs", type=int, default=30, help="timed requests per query shape")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, resources, areas, runs, seed, **options):
        if resources < 1 or runs < 1:
            raise CommandError("--resources and --runs must be at least 1")
        if not areas.is_file():
            raise CommandError(f"municipality file not found: {areas} (give --areas)")
        with throwaway_database():
            figures = self.run(resources, areas, runs, random.Random(seed))
        self.stdout.write(json.dumps(figures, ensure_ascii=False))

    def run(self, count, areas, runs, rng):
        started = time.perf_counter()
        call_command("import_areas", str(areas), stdout=open("/dev/null", "w"))
        municipalities = list(Municipality.objects.exclude(latitude=None))
        drop_search_index()
        build_resources(count, municipalities, rng, progress=self.stderr.isatty())
        build_vacancies(rng)
        ensure_search_index()
        refresh_planner_statistics()
        load_seconds = time.perf_counter() - started
        self.stdout.write(f"{connection.vendor}: {count:,} resources built in {load_seconds:.1f} s")

        shapes = query_shapes(municipalities, rng)
        client = Client()
        results = {}
        throttles, ResourceViewSet.throttle_classes = ResourceViewSet.throttle_classes, []
        try:
            with override_settings(DEBUG=False, SECURE_SSL_REDIRECT=False):  # the test client speaks HTTP
                for name, make_query in shapes.items():
                    results[name] = time_shape(client, make_query, runs)
        finally:
            ResourceViewSet.throttle_classes = throttles
        self.stdout.write(f"{'shape':<34}{'p50 ms':>9}{'p95 ms':>9}{'rows':>9}")
        for name, figure in results.items():
            self.stdout.write(
                f"{name:<34}{figure['p50_ms']:>9.1f}{figure['p95_ms']:>9.1f}{figure['rows']:>9}"
            )
        return {
            "benchmark": "search",
            "database": connection.vendor,
            "resources": count,
            "runs": runs,
            "build_seconds": round(load_seconds, 1),
            "shapes": results,
        }


def time_shape(client, make_query, runs):
    timings, rows = [], 0
    for attempt in range(runs + 3):
        query = make_query()
        started = time.perf_counter()
        response = client.get("/api/v1/resources/", query)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"{query} answered {response.status_code}: {response.content[:300]!r}")
        if attempt >= 3:  # the first three warm the caches
            timings.append(elapsed)
            rows += response.json()["count"]
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "rows": rows // runs,
    }


def query_shapes(municipalities, rng):
    dense = [m for m in municipalities if m.name in DENSE_CITIES] or municipalities[:5]
    leaves = list(Category.objects.leaves().filter(kind=ResourceKind.FORMAL).values_list("slug", flat=True))
    last_page = max(1, Resource.objects.public().exclude(status="closed").count() // 20)
    deep_page = min(DEEP_PAGE, last_page)

    def near(m):
        return f"{m.latitude},{m.longitude}"

    return {
        "text_3plus_chars": lambda: {"q": rng.choice(STEMS) + rng.choice(["", " " + rng.choice(SUFFIXES)])},
        "text_2_chars": lambda: {"q": rng.choice(["GH", "B型", "A型", "児発", "生介"])},
        "category_municipality": lambda: {
            "category": rng.choice(leaves),
            "municipality": rng.choice(dense).code,
        },
        "near_5km_dense_city": lambda: {"near": near(rng.choice(dense)), "radius_km": 5},
        "near_category_eligibility_vacancy": lambda: {
            "near": near(rng.choice(dense)),
            "radius_km": 10,
            "category": "daily-life-care",
            "disability": "intellectual",
            "support_level": 4,
            "has_vacancy": "true",
        },
        "unfiltered_newest_first": lambda: {"ordering": "-updated_at"},
        "deep_page": lambda: {"page": deep_page},
    }


def build_resources(count, municipalities, rng, *, progress, first=0):
    """`count` resources over the municipalities; `first` numbers them on from an earlier call's rows."""
    categories = list(Category.objects.leaves())
    weights = [10 if "区" in m.name else 3 if m.name.endswith("市") else 1 for m in municipalities]
    now = timezone.now()
    bar = tqdm(total=count, desc="resources", disable=not progress, unit="row")
    for start in range(first, first + count, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, first + count)):
            municipality = rng.choices(municipalities, weights)[0]
            category = rng.choice(categories)
            stem = rng.choice(STEMS)
            name = f"{stem}{rng.choice(SUFFIXES)}{n}"
            groups = {g: rng.random() < 0.5 for g in ("physical", "intellectual", "mental")}
            batch.append(
                Resource(
                    name=name,
                    name_kana=f"{stem}{n}",
                    kind=category.kind,
                    primary_category=category,
                    office_number=f"{municipality.code[:2]}{n:08d}",
                    address=f"{municipality.name}{rng.randint(1, 9)}-{n % 50}",
                    municipality=municipality,
                    latitude=(latitude := municipality.latitude + rng.gauss(0, 0.02)),
                    longitude=(longitude := municipality.longitude + rng.gauss(0, 0.025)),
                    geo_cell=grid_cell(latitude, longitude),
                    capacity=rng.choice([None, 5, 10, 20, 40]),
                    min_support_level=rng.choice([None, None, 2, 3, 4]),
                    monthly_fee_yen=rng.choice([0, 5000, 15000, None]),
                    visibility=Visibility.PUBLIC if rng.random() < 0.95 else Visibility.PROFESSIONALS,
                    verified_at=now - timedelta(days=rng.randint(0, 800)),
                    search_text=search_text_of(
                        [
                            name,
                            municipality.name,
                            category.name,
                            category.name_kana,
                            *category.aliases.splitlines(),
                        ]
                    ),
                    **{f"accepts_{group}": value for group, value in groups.items()},
                )
            )
            batch[-1].reading = reading_of(batch[-1])
        Resource.objects.bulk_create(batch)
        bar.update(len(batch))
    bar.close()


def build_vacancies(rng):
    """A vacancy report for one resource in three, fresh or stale, then point each resource at it."""
    from django.contrib.auth import get_user_model

    reporter = get_user_model().objects.create_user("benchmark-reporter")
    now = timezone.now()
    ids = list(Resource.objects.values_list("pk", flat=True))
    chosen = [pk for pk in ids if rng.random() < 1 / 3]
    for start in range(0, len(chosen), BATCH):
        Vacancy.objects.bulk_create(
            Vacancy(
                resource_id=pk,
                places=rng.choice([0, 1, 2, 3]),
                as_of=now - timedelta(days=rng.choice([1, 5, 10, 60, 120])),
                reported_by=reporter,
            )
            for pk in chosen[start : start + BATCH]
        )
    with connection.cursor() as cursor:
        # One grouped pass joined to the rows that have a report. (A correlated MAX(id) per row lets
        # PostgreSQL read the vacancy ids backwards until one matches: over an hour at 1M rows.)
        cursor.execute(
            "UPDATE directory_resource SET latest_vacancy_id = latest.id "
            "FROM (SELECT resource_id, MAX(id) AS id FROM directory_vacancy GROUP BY resource_id) AS latest "
            "WHERE latest.resource_id = directory_resource.id"
        )
