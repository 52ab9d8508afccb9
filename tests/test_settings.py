"""Settings come from the environment and a bad value stops the process at start-up, naming the variable,
instead of surfacing later as a 500 or a feature silently off."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def start(**environment):
    """Import the settings in a fresh interpreter with these variables set; its exit status and stderr."""
    env = {**os.environ, "SECRET_KEY": "settings-test", **environment}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stderr


def test_the_defaults_start():
    assert start() == (0, "")


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("VACANCY_FRESH_DAYS", "thirty", "VACANCY_FRESH_DAYS must be a whole number"),
        ("VERIFIED_FRESH_MONTHS", "0", "VERIFIED_FRESH_MONTHS must be at least 1"),
        ("VERIFIED_STALE_MONTHS", "half", "VERIFIED_STALE_MONTHS must be a whole number"),
        ("RATING_WINDOW_MONTHS", "0", "RATING_WINDOW_MONTHS must be at least 1"),
        ("RATING_PUBLIC_MIN_RATERS", "2", "RATING_PUBLIC_MIN_RATERS must be at least 3"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT must be a whole number"),
        ("EMAIL_USE_TLS", "sometimes", "EMAIL_USE_TLS must be one of"),
        ("MAP_TILES", "google", "MAP_TILES must be one of"),
        ("API_THROTTLE_ANON", "fast", "API_THROTTLE_ANON must be a rate such as 120/minute"),
        ("API_THROTTLE_USER", "100/fortnight", "API_THROTTLE_USER must be a rate"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("SECURE_SSL_REDIRECT", "sometimes", "SECURE_SSL_REDIRECT must be one of"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS must be a whole number"),
        ("SECURE_HSTS_SECONDS", "-1", "SECURE_HSTS_SECONDS must be at least 0"),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "all", "SECURE_HSTS_INCLUDE_SUBDOMAINS must be one of"),
        ("SECURE_HSTS_PRELOAD", "please", "SECURE_HSTS_PRELOAD must be one of"),
        ("SECURE_COOKIES", "maybe", "SECURE_COOKIES must be one of"),
        ("SECURE_PROXY_SSL_HEADER", "https", "SECURE_PROXY_SSL_HEADER must be one of"),
        ("NUM_PROXIES", "one", "NUM_PROXIES must be a whole number"),
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT must be at least 1"),
        ("LOGIN_COOLOFF_MINUTES", "quarter", "LOGIN_COOLOFF_MINUTES must be a whole number"),
        ("NUM_PROXIES", "-1", "NUM_PROXIES must be at least 0"),
        ("MAP_THROTTLE", "lots", "MAP_THROTTLE must be a rate"),
        ("CSV_THROTTLE", "10/week", "CSV_THROTTLE must be a rate"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(variable, value, fragment):
    status, stderr = start(**{variable: value})
    assert status != 0
    assert "ImproperlyConfigured" in stderr
    assert fragment in stderr


def test_without_a_secret_key_only_debug_starts():
    assert "SECRET_KEY must be set when DEBUG is off" in start(SECRET_KEY="")[1]
    assert start(SECRET_KEY="", DEBUG="1")[0] == 0


@pytest.mark.parametrize("rate", ["120/minute", "10/s", "5000/day", "1/hour"])
def test_throttle_rates_in_the_rest_framework_syntax_start(rate):
    assert start(API_THROTTLE_ANON=rate)[0] == 0


def test_the_stale_threshold_cannot_come_before_the_fresh_one():
    status, stderr = start(VERIFIED_FRESH_MONTHS="12", VERIFIED_STALE_MONTHS="6")
    assert status != 0
    assert "VERIFIED_STALE_MONTHS (6) must be at least VERIFIED_FRESH_MONTHS (12)" in stderr


def test_e_mail_goes_to_the_console_in_development_and_to_smtp_otherwise():
    def backend(**environment):
        env = {**os.environ, "SECRET_KEY": "settings-test", **environment}
        env.pop("EMAIL_BACKEND", None)
        code = "import config.settings as s; print(s.EMAIL_BACKEND)"
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=REPOSITORY, env=env, capture_output=True, text=True
        )
        return result.stdout.strip()

    assert backend(DEBUG="1") == "django.core.mail.backends.console.EmailBackend"
    assert backend(DEBUG="0") == "django.core.mail.backends.smtp.EmailBackend"


# The variables of a deployment's HTTPS protections, and those pytest's environment sets for the tests alone.
TEST_RUN_VARIABLES = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "STATIC_MANIFEST",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_COOKIES",
    "SECURE_PROXY_SSL_HEADER",
)
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
)
DEPLOYED = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


def deployment(**environment):
    """The environment of a deployment: this one less the test run's variables, plus these."""
    env = {name: value for name, value in os.environ.items() if name not in TEST_RUN_VARIABLES}
    return {**env, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "map.example.jp", **environment}


def https_settings(**environment):
    """The HTTPS settings a fresh interpreter reads from a deployment's environment with these variables."""
    names = ", ".join(f"{name!r}: s.{name}" for name in HTTPS_SETTINGS)
    return read(f"{{{names}}}", **{**dict.fromkeys(TEST_RUN_VARIABLES), **environment})


def test_check_deploy_reports_nothing_with_debug_off_a_secret_key_and_hosts():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPOSITORY,
        env=deployment(DEBUG="0"),
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_https_protections_are_on_in_a_deployment_and_off_in_development():
    assert https_settings() == DEPLOYED
    assert https_settings(DEBUG="1") == {
        **{name: False for name in HTTPS_SETTINGS},
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
    }


@pytest.mark.parametrize(
    ("variable", "value", "changed"),
    [
        ("SECURE_SSL_REDIRECT", "0", {"SECURE_SSL_REDIRECT": False}),
        ("SECURE_HSTS_SECONDS", "3600", {"SECURE_HSTS_SECONDS": 3600}),
        ("SECURE_HSTS_SECONDS", "0", {"SECURE_HSTS_SECONDS": 0}),
        ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "0", {"SECURE_HSTS_INCLUDE_SUBDOMAINS": False}),
        ("SECURE_HSTS_PRELOAD", "0", {"SECURE_HSTS_PRELOAD": False}),
        ("SECURE_COOKIES", "0", {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False}),
        ("SECURE_PROXY_SSL_HEADER", "0", {"SECURE_PROXY_SSL_HEADER": None}),
    ],
)
def test_each_https_protection_has_its_own_switch(variable, value, changed):
    assert https_settings(**{variable: value}) == {**DEPLOYED, **changed}


def test_development_may_turn_a_protection_on():
    assert https_settings(DEBUG="1", SECURE_SSL_REDIRECT="1")["SECURE_SSL_REDIRECT"] is True


def read(expression, **environment):
    """The value of a Python expression over the settings (`s`) a fresh interpreter reads with these
    variables set (None: unset)."""
    env = {**os.environ, "SECRET_KEY": "settings-test", **environment}
    result = subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(repr({expression}))"],
        cwd=REPOSITORY,
        env={name: value for name, value in env.items() if value is not None},
        capture_output=True,
        text=True,
        check=True,
    )
    return ast.literal_eval(result.stdout)


def test_redis_url_puts_the_shared_cache_in_redis_else_in_files_under_cache_dir():
    cache = '(s.CACHES["default"]["BACKEND"], s.CACHES["default"]["LOCATION"])'
    assert read(cache, REDIS_URL="redis://127.0.0.1:6379/2") == (
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/2",
    )
    files = "django.core.cache.backends.filebased.FileBasedCache"
    assert read(cache, REDIS_URL=None, CACHE_DIR=None) == (files, str(REPOSITORY / "cache"))
    assert read(cache, REDIS_URL="", CACHE_DIR="/srv/map/cache") == (files, "/srv/map/cache")


def test_forwarded_addresses_are_ignored_unless_proxies_are_configured():
    assert read('s.REST_FRAMEWORK["NUM_PROXIES"]') == 0
    assert read('s.REST_FRAMEWORK["NUM_PROXIES"]', NUM_PROXIES="2") == 2


def test_the_login_limit_and_cool_off_come_from_the_environment():
    limits = "(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())"
    assert read(limits, LOGIN_FAILURE_LIMIT="3", LOGIN_COOLOFF_MINUTES="30") == (3, 1800.0)
