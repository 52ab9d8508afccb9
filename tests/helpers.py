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
