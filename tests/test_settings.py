"""Settings come from the environment and a bad value stops the process at start-up, naming the variable,
instead of surfacing later as a 500 or a feature silently off."""

import os
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
