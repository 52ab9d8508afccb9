"""The benchmark commands still run end to end, on a few rows (the figures themselves go in notes). Each
runs in its own process on a scratch SQLite file: a benchmark builds and drops a database of its own, which
must not touch the test database. Both run on their defaults: the files the repository ships."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]


def run(tmp_path, *arguments):
    env = {
        **os.environ,
        "SECRET_KEY": "benchmark-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=REPOSITORY, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_benchmark_search_times_every_query_shape(tmp_path):
    figures = run(tmp_path, "benchmark_search", "--resources", "300", "--runs", "2")
    assert figures["resources"] == 300
    assert set(figures["shapes"]) == {
        "text_3plus_chars", "text_2_chars", "category_municipality", "near_5km_dense_city",
        "near_category_eligibility_vacancy", "unfiltered_newest_first", "deep_page",
    }  # fmt: skip
    assert all(shape["p95_ms"] > 0 for shape in figures["shapes"].values())


def test_benchmark_import_imports_the_rows_twice(tmp_path):
    figures = run(tmp_path, "benchmark_import", "--rows", "300")
    assert (figures["first"]["created"], figures["second"]["unchanged"]) == (300, 300)
