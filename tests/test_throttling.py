"""Request rates are counted in one cache shared by every worker (Redis when REDIS_URL is set, else the
database), per client as our proxies name it (NUM_PROXIES), and the HTML map and CSV export have theirs."""

import ipaddress
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

from tests import factories

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parents[1]
MAP = "/map/"
CSV = "/resources/export.csv"
WAIT = "秒ほど待ってから、もう一度お試しください"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def rates(settings):
    """Set some rates (and how many proxies add to X-Forwarded-For) for this test."""

    def tighten(num_proxies=0, **scopes):
        framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **framework,
            "NUM_PROXIES": num_proxies,
            "DEFAULT_THROTTLE_RATES": {**framework["DEFAULT_THROTTLE_RATES"], **scopes},
        }

    return tighten


@pytest.mark.parametrize("path", [MAP, CSV])
def test_past_its_rate_a_page_answers_429_saying_how_long_to_wait(client, rates, path):
    rates(map="2/minute", csv="2/minute")
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    refused = client.get(path)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert WAIT in refused.text
    assert f"{refused['Retry-After']} {WAIT}" in refused.text


def test_a_forged_x_forwarded_for_gets_no_fresh_allowance(client, rates):
    rates(map="1/minute")
    assert client.get(MAP).status_code == 200
    assert client.get(MAP, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_nor_does_it_in_the_api(client, monkeypatch):
    # Django REST framework's own throttles read their rates once, when imported.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    assert client.get("/api/v1/categories/").status_code == 200
    assert client.get("/api/v1/categories/", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_behind_one_proxy_the_client_is_the_address_that_proxy_added(client, rates):
    rates(num_proxies=1, map="1/minute")
    assert client.get(MAP, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    assert client.get(MAP, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # What the client wrote before the proxy's address gains it nothing...
    assert client.get(MAP, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7").status_code == 429
    # ...and another client behind the same proxy has its own allowance.
    assert client.get(MAP, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_signed_in_users_are_counted_each_on_their_own(client, rates):
    rates(csv="1/minute")
    client.force_login(factories.planner())
    assert [client.get(CSV).status_code for _ in range(2)] == [200, 429]
    client.force_login(factories.planner())
    assert client.get(CSV).status_code == 200


# A gunicorn worker of its own: a fresh interpreter, asking the map's rate three times for one client.
WORKER = """
import sys
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from directory.throttling import PageRateThrottle
request = RequestFactory().get("/map/", REMOTE_ADDR=sys.argv[1])
request.user = AnonymousUser()
print([PageRateThrottle("map").allow_request(request, None) for _ in range(3)])
"""


@pytest.mark.parametrize("shared_cache", ["files", "redis"])
def test_every_worker_draws_on_one_allowance(client, rates, settings, shared_cache):
    """Without REDIS_URL the count is a file under CACHE_DIR, which every worker of the machine reads; with
    it, an entry in Redis, which every machine reads. Either way a second worker sees the first's count."""
    if shared_cache == "redis":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        }
        environment = {"REDIS_URL": REDIS_URL}
    else:
        environment = {"REDIS_URL": "", "CACHE_DIR": settings.CACHES["default"]["LOCATION"]}
    rates(map="2/minute")
    # A client address of its own (a documentation prefix), so that no other test run shares the count.
    address = str(ipaddress.IPv6Address(0x20010DB8 << 96 | secrets.randbits(64)))
    try:
        worker = subprocess.run(
            [sys.executable, "-c", WORKER, address],
            cwd=REPOSITORY,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "MAP_THROTTLE": "2/minute",
                **environment,
            },
            capture_output=True,
            text=True,
            check=True,
        )
        assert worker.stdout.strip() == "[True, True, False]"
        assert client.get(MAP, REMOTE_ADDR=address).status_code == 429
    finally:
        cache.delete(f"throttle_map_{address}")
