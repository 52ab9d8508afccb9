"""Measure the public map with many resources in view, on a throwaway database.

    python manage.py benchmark_map [--resources 100000] [--in-view 20000] [--runs 5] [--browser]

Builds a new database beside the configured one (as benchmark_search does): the municipalities, N resources
spread over Japan, of which --in-view stand in one region (a ward of Yokohama and its neighbours) with hours
and fees, and vacancies. Then it times the map page through Django's test client: the region with every one
of its resources as a pin (the server's build of the page), and the map with no area, which opens on the
default region. With --browser it also serves the page on 127.0.0.1 and times Debian's Chromium from the
request to the drawn clusters (the first render). Prints the figures and one JSON line.
"""

import json
import random
import re
import statistics
import sys
import threading
import time
from datetime import time as clock
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections
from django.test import Client
from django.test.utils import override_settings

from directory.choices import FeeKind, FeeUnit
from directory.management.commands import benchmark_search as search_benchmark
from directory.models import Fee, Municipality, OpeningHours, Region, Resource
from directory.search import ensure_search_index, refresh_planner_statistics

REGION = "benchmark-region"
PINS_SHOWN = re.compile(r"([\d,]+) か所を表示しています")
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CENTRE_NAMES = ["横浜市 中区", "横浜市 西区", "横浜市 南区", "横浜市 神奈川区"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


class Command(BaseCommand):
    help = "Benchmark the public map with many resources in view on a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=int, default=100_000, help="resources in the catalogue")
        parser.add_argument("--in-view", type=int, default=20_000, help="of them, in the measured region")
        parser.add_argument("--runs", type=int, default=5, help="timed requests per shape")
        parser.add_argument("--areas", default=str(search_benchmark.DEFAULT_AREAS))
        parser.add_argument("--browser", action="store_true", help="also time the first render in Chromium")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, resources, in_view, runs, areas, browser, seed, **options):
        if not 1 <= in_view <= resources or runs < 1:
            raise CommandError("--in-view must be from 1 to --resources, and --runs at least 1")
        rng = random.Random(seed)
        # Every pin of the region drawn, no tiles, static files by their plain names (no collectstatic).
        measured = override_settings(
            MAP_TILES="none", MAP_MAX_MARKERS=in_view, STORAGES=PLAIN_STATIC, SECURE_SSL_REDIRECT=False
        )
        with search_benchmark.throwaway_database(), measured:
            started = time.perf_counter()
            build(resources, in_view, areas, rng, progress=self.stderr.isatty())
            figures = {
                "benchmark": "map",
                "database": connection.vendor,
                "resources": resources,
                "in_view": in_view,
                "build_seconds": round(time.perf_counter() - started, 1),
            }
            client = Client()
            figures["region_page"] = time_page(client, f"/map/?region={REGION}", runs)
            figures["default_page"] = time_page(client, "/map/", runs)
            if browser:
                figures["browser_first_render_ms"] = first_render(f"/map/?region={REGION}", runs)
        for name in ("region_page", "default_page"):
            f = figures[name]
            self.stdout.write(f"{name:<14} p50 {f['p50_ms']:>8.1f} ms  p95 {f['p95_ms']:>8.1f} ms  "
                              f"{f['pins']:>6} pins  {f['bytes'] / 1e6:.1f} MB")  # fmt: skip
        if browser:
            self.stdout.write(f"first render in Chromium: {figures['browser_first_render_ms']} ms")
        self.stdout.write(json.dumps(figures, ensure_ascii=False))


def build(resources, in_view, areas, rng, *, progress):
    call_command("import_areas", areas, stdout=open("/dev/null", "w"))
    municipalities = list(Municipality.objects.exclude(latitude=None))
    centre = [m for m in municipalities if m.name in CENTRE_NAMES]
    if not centre:
        raise CommandError(f"none of {CENTRE_NAMES} in {areas}")
    region = Region.objects.create(slug=REGION, name="ベンチマーク圏域")
    region.municipalities.set(centre)
    search_benchmark.build_resources(resources - in_view, municipalities, rng, progress=progress)
    first_in_view = Resource.objects.count()
    search_benchmark.build_resources(in_view, centre, rng, progress=progress, first=resources - in_view)
    in_view_ids = list(Resource.objects.filter(pk__gt=first_in_view).values_list("pk", flat=True))
    for start in range(0, len(in_view_ids), search_benchmark.BATCH):
        chunk = in_view_ids[start : start + search_benchmark.BATCH]
        OpeningHours.objects.bulk_create(
            OpeningHours(resource_id=pk, day_type="weekday", opens=clock(9), closes=clock(17)) for pk in chunk
        )
        Fee.objects.bulk_create(
            Fee(
                resource_id=pk, kind=FeeKind.FIXED, description="昼食代", amount_yen=300, unit=FeeUnit.PER_DAY
            )
            for pk in chunk
        )
    search_benchmark.build_vacancies(rng)
    ensure_search_index()
    refresh_planner_statistics()


def time_page(client, url, runs):
    timings, size, pins = [], 0, 0
    for attempt in range(runs + 1):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        if attempt:  # the first warms the caches
            timings.append(elapsed)
        size = len(response.content)
        shown = PINS_SHOWN.search(response.content.decode())  # 「N か所を表示しています」
        pins = int(shown.group(1).replace(",", "")) if shown else 0
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
        "bytes": size,
        "pins": pins,
    }


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def first_render(path, runs):
    """Milliseconds from asking for the page to the first cluster drawn in the map's frame (median)."""
    from playwright.sync_api import sync_playwright

    server = make_server(
        "127.0.0.1", 0, StaticFilesHandler(get_wsgi_application()), handler_class=QuietHandler
    )

    def serve():
        try:
            server.serve_forever()
        finally:  # requests ran in this thread: its connection would keep PostgreSQL's database from dropping
            connections.close_all()

    serving = threading.Thread(target=serve, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}{path}"
    timings = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _run in range(runs):
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.on("pageerror", lambda error: print("page error:", error, file=sys.stderr))
                started = time.perf_counter()
                page.goto(url, wait_until="commit")
                page.frame_locator("#resource-map").locator(".marker-cluster").first.wait_for(timeout=60_000)
                timings.append(round((time.perf_counter() - started) * 1000))
                page.close()
            browser.close()
    finally:
        server.shutdown()
        serving.join()
    return statistics.median(timings)
