from importlib import import_module

import pytest

from tests import factories


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Tests create many users; the default hasher is slow on purpose."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Each test process keeps its cache (request counts) in files of its own: the suite never counts
    against, nor clears, the project's cache directory or a Redis that REDIS_URL names
    (tests/test_throttling.py tries Redis on keys of its own)."""
    from django.test import override_settings

    files = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path_factory.mktemp("cache")),
    }
    with override_settings(CACHES={"default": files}):
        yield


@pytest.fixture(autouse=True)
def full_allowance(private_cache):
    """Every test starts with no request counted against it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def site_language():
    """A request in English leaves English active in the test's thread; the next test starts in Japanese."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def resource_factory(db):
    return factories.ResourceFactory


@pytest.fixture
def organization_factory(db):
    return factories.OrganizationFactory


@pytest.fixture
def municipality_factory(db):
    return factories.MunicipalityFactory


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the tables after each test, data migrations' rows included: put back the
    taxonomy, features and role groups (with the coordinator's permissions) the migrations ship."""
    from django.apps import apps

    from directory.apps import grant_coordinator_permissions

    sync_taxonomy = import_module("directory.migrations.0002_taxonomy_features_roles").sync_taxonomy
    sync_taxonomy(apps, None)
    grant_coordinator_permissions(apps.get_app_config("directory"))


@pytest.fixture
def page(browser, live_server, reference_data):
    """A phone-sized page that refuses and records every request leaving the live server, and records
    every breach of the Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = context.new_page()
    page.external_requests = []
    # What Chromium reports breaking the Content-Security-Policy, in the page or in its frames.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.csp_violations.append(message.text)
        ),
    )

    def guard(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    context.close()
