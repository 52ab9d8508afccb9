from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings


@contextmanager
def shared_rows(django_db_blocker, **settings):
    """Rows shared by the tests of a class or module (built in a class- or module-scoped fixture),
    rolled back after the last of them."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(**settings):
        yield
        transaction.set_rollback(True)


def log_in(page, live_server, username, password="pass-for-tests"):
    """Sign in through the login page, as a person does, and wait for the home page."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(live_server.url + "/")
