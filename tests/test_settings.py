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
        ("VERIFIED_FRESH_DAYS", "0", "VERIFIED_FRESH_DAYS must be at least 1"),
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
