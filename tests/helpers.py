from contextlib import contextmanager
from io import StringIO
from pathlib import Path

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


def load_areas_of_japan():
    """Every prefecture and municipality of Japan, from the lists the repository ships."""
    from django.core.management import call_command

    from directory.management.commands.import_areas import SHIPPED_FILES

    call_command("import_areas", *SHIPPED_FILES, stdout=StringIO())


@contextmanager
def areas_of_japan(django_db_blocker):
    """load_areas_of_japan() for the tests of a module or class, rolled back after the last of them."""
    with shared_rows(django_db_blocker):
        load_areas_of_japan()
        yield


def sign_in_as(client, role):
    """Sign the test client in as a new user of a role: "planner", "manager" (a service manager of a new
    法人) or "coordinator"; "anonymous" signs nobody in."""
    from tests import factories

    users = {
        "planner": factories.planner,
        "manager": lambda: factories.service_manager(factories.OrganizationFactory()),
        "coordinator": factories.coordinator,
    }
    if role != "anonymous":
        client.force_login(users[role]())


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(frame):
    """axe-core's WCAG 2 A/AA violations in one frame, as (rule, first failing node)."""
    frame.evaluate(
        AXE.read_text(encoding="utf-8") + ";0"
    )  # evaluated, not a <script>: the CSP stays as it is
    found = frame.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(result => result.violations.map(v => [v.id, v.nodes[0].target.join(' ')]))",
        WCAG_A_AA,
    )
    return [tuple(violation) for violation in found]
