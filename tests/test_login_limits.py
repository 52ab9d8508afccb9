"""Failed logins are counted per account and per client (django-axes): the LOGIN_FAILURE_LIMIT-th failure
locks out the account, or the client, with a Japanese page saying how long to wait, even against the
right password, until the cool-off has passed. The login page and the admin's alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pass-for-tests"
LOCKED_OUT = (
    "ログインの失敗が続いたため、ログインを一時的に止めています。15 分たってから、もう一度お試しください。"
)


def log_in(client, username, password, path=LOGIN, **request):
    return client.post(path, {"username": username, "password": password}, **request)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_the_limit_is_five_failures_and_the_cool_off_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_below_the_limit_a_wrong_password_is_told_and_the_right_one_signs_in(client):
    planner = factories.planner(username="soudan")
    for _ in range(4):
        refused = log_in(client, "soudan", "wrong")
        assert refused.status_code == 200
        assert refused.context["form"].non_field_errors()
    assert log_in(client, "soudan", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(planner.pk)


def test_the_fifth_wrong_password_locks_the_account_even_against_the_right_one(client):
    factories.planner(username="soudan")
    assert [log_in(client, "soudan", f"wrong-{n}").status_code for n in range(5)] == [200] * 4 + [429]
    for request in ({}, {"REMOTE_ADDR": "198.51.100.20"}):  # this client, and any other
        locked_out = log_in(client, "soudan", PASSWORD, **request)
        assert locked_out.status_code == 429
        assert LOCKED_OUT in locked_out.text
        assert not signed_in(client)


def test_after_the_cool_off_the_right_password_signs_in_again(client, settings):
    factories.planner(username="soudan")
    for n in range(5):
        log_in(client, "soudan", f"wrong-{n}")
    assert log_in(client, "soudan", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert log_in(client, "soudan", PASSWORD).status_code == 302
    assert signed_in(client)


def test_one_client_is_limited_across_accounts(client):
    for n in range(6):
        factories.planner(username=f"planner{n}")
    statuses = [log_in(client, f"planner{n}", "wrong").status_code for n in range(5)]
    assert statuses == [200] * 4 + [429]
    assert log_in(client, "planner5", PASSWORD).status_code == 429
    # The accounts themselves failed once each: from another client they sign in.
    assert log_in(client, "planner5", PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_a_forged_x_forwarded_for_does_not_make_a_new_client(client):
    for n in range(6):
        factories.planner(username=f"planner{n}")
    statuses = [
        log_in(client, f"planner{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200] * 4 + [429]


def test_the_admin_login_is_limited_too(client):
    factories.coordinator(username="coordinator", is_staff=True)
    statuses = [log_in(client, "coordinator", "wrong", ADMIN_LOGIN).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    locked_out = log_in(client, "coordinator", PASSWORD, ADMIN_LOGIN)
    assert locked_out.status_code == 429
    assert LOCKED_OUT in locked_out.text
    assert not signed_in(client)


def test_the_limit_and_the_cool_off_are_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    factories.planner(username="soudan")
    assert [log_in(client, "soudan", "wrong").status_code for _ in range(2)] == [200, 429]
    assert "30 分たってから" in log_in(client, "soudan", PASSWORD).text
