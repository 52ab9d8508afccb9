"""The OpenAPI document tells the truth: schemathesis sends generated requests to every operation of
/api/schema/, in process through the Django WSGI application, on a small catalogue built here, and every
response must be no server error, have a status the operation documents (errors included) and match the
schema documented for that status and content type.

Bounded and repeatable: a fixed number of generated requests per operation (plus schemathesis's explicit
examples, and the boundary cases of the reads), derandomized, no example database, nothing leaves the
process. Requests are
a coordinator's (token), so that the write operations run too. Throttling is off here: the test sends
hundreds of requests a minute by design, and the rate limits have tests of their own."""

import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from werkzeug.test import Client

from config.wsgi import application
from directory import hsds, services
from directory.choices import ResourceStatus, Visibility
from directory.models import Category, Feature, Region, Resource
from tests import factories
from tests.helpers import shared_rows

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = 12  # generated requests per operation and phase
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"deterministic": True, "database": "none"},
        # Nor from string constants found in the application's code (a set: its order follows the process's
        # hash seed, which differs between pytest-xdist workers).
        "analysis": {"constants": {"enabled": False}},
        # Nothing learnt from earlier responses: which operations ran before in the same worker would
        # change what is generated.
        "phases": {
            "examples": {"extra-data-sources": {"responses": False}},
            "coverage": {"generation": {"mode": "positive"}, "extra-data-sources": {"responses": False}},
            "fuzzing": {"extra-data-sources": {"responses": False}, "error-feedback": {"enabled": False}},
            "stateful": {"enabled": False},
        },
        "operations": [
            # The boundary cases of a body are hundreds per write operation (several minutes): the writes
            # get the fixed number of generated requests only.
            {"include-method-regex": "^(POST|PUT|PATCH)$", "phases": {"coverage": {"enabled": False}}}
        ],
    }
)


@dataclass
class Catalogue:
    token: str  # the coordinator's
    path_values: dict[str, list]  # operation path -> values of its one path parameter that name something


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """A few entries covering what may be blank or absent: an organization with and without a URL, an entry
    without organization or point, hours with times and as text only, a vacancy, a region, a parent and
    child category (the taxonomy of the migrations)."""
    with shared_rows(django_db_blocker):
        coordinator = factories.coordinator(username="schema-coordinator")
        town = factories.MunicipalityFactory()
        region = Region.objects.create(slug="schema-region", name="テスト圏域")
        region.municipalities.add(town, factories.MunicipalityFactory())
        full = factories.ResourceFactory(
            municipality=town,
            organization=factories.OrganizationFactory(url="https://example.jp/"),
            office_number="2010100012",
            url="https://example.jp/office",
            hours=[
                {"day_type": "weekday", "opens": "09:00", "closes": "17:30", "text": "09:00～17:30"},
                {"day_type": "saturday", "opens": None, "closes": None, "text": "要相談"},
            ],
            fees=[{"kind": "free"}],
            service_area=[town],
            features=list(Feature.objects.filter(slug__in=["transport", "meals"])),
            by=coordinator,
        )
        factories.VacancyFactory(resource=full, places=3, reported_by=coordinator)
        salon = factories.ResourceFactory(
            name="ふれあいサロン",
            primary_category=Category.objects.filter(kind="informal").exclude(parent=None).first(),
            organization=None,
            municipality=None,
            latitude=None,
            longitude=None,
            capacity=None,
            by=coordinator,
        )
        suspended = factories.ResourceFactory(
            municipality=town, status=ResourceStatus.SUSPENDED, by=coordinator
        )
        internal = factories.ResourceFactory(
            municipality=town, visibility=Visibility.PROFESSIONALS, by=coordinator
        )
        resources = [full.pk, salon.pk, suspended.pk, internal.pk]
        categories = [full.primary_category, full.primary_category.parent.parent]
        yield Catalogue(
            token=Token.objects.create(user=coordinator).key,
            path_values={
                "/api/v1/resources/{id}/": resources,
                "/api/v1/resources/{id}/vacancy/": resources,
                "/api/v1/organizations/{id}/": [full.organization.pk],
                "/api/v1/municipalities/{code}/": [town.code],
                "/api/v1/regions/{slug}/": [region.slug],
                "/api/v1/categories/{slug}/": [category.slug for category in categories],
                "/api/hsda/services/{id}": [
                    hsds.hsds_id("service", full.pk),
                    hsds.hsds_id("service", salon.pk),
                ],
                "/api/hsda/organizations/{id}": [hsds.organization_id(full), hsds.organization_id(salon)],
                "/api/hsda/taxonomies/{id}": [taxonomy["id"] for taxonomy in hsds.taxonomies()],
                "/api/hsda/taxonomy_terms/{id}": [
                    hsds.category_term(category)["id"] for category in categories
                ],
            },
        )


class in_process_requests:
    """Requests sent to the WSGI application inside a test: the test's database connection stays open
    (as Django's test client does, request signals do not close it) and no throttle counts them."""

    def __enter__(self):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        self.get_throttles, APIView.get_throttles = APIView.get_throttles, lambda view: []
        return self

    def __exit__(self, *exc):
        APIView.get_throttles = self.get_throttles
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Loaded when the module is collected (the document needs no database); schemathesis's fixture-based loader
# does not work with pytest 9.2.
with in_process_requests():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_response_is_no_server_error_and_matches_its_documented_schema(case, catalogue):
    aim_at_existing_rows(case, catalogue)
    with in_process_requests():
        try:
            case.call_and_validate(
                headers={"Authorization": f"Token {catalogue.token}"},
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
            )
        except FailureGroup as failures:
            if all(vacancy_dated_before_2000(failure) for failure in failures.exceptions):
                pytest.xfail(
                    "a vacancy report dated before 2000 is accepted and its as_of written with Tokyo's local "
                    "mean time offset (+09:18:59), no RFC 3339 date-time: issue 9's date-range item (refuse "
                    "dates before 2000, naming the field) fixes it; drop this xfail once that is merged"
                )
            raise


def vacancy_dated_before_2000(failure) -> bool:
    return (
        isinstance(failure, JsonSchemaError)
        and list(failure.instance_path) == ["as_of"]
        and isinstance(failure.instance, str)
        and failure.instance[:4].isdigit()
        and int(failure.instance[:4]) < 2000
    )


def aim_at_existing_rows(case, catalogue):
    """Generated ids name nothing (404): three cases in four get one that names a row of the catalogue, picked
    from what was generated (so the same each run), and half the edits of an entry its current ETag."""
    values = catalogue.path_values.get(case.operation.path)
    if not values:
        return
    (name,) = case.path_parameters
    draw = zlib.crc32(repr(case.path_parameters[name]).encode())
    if draw % 4 == 0:
        return
    case.path_parameters[name] = values[draw // 4 % len(values)]
    if case.method.upper() == case.operation.method.upper() in ("PUT", "PATCH") and draw % 2:
        resource = Resource.objects.get(pk=case.path_parameters[name])
        case.headers = {**(case.headers or {}), "If-Match": f'"{services.resource_version(resource)}"'}


def test_every_kind_of_row_of_the_catalogue_matches_its_documented_schema(catalogue):
    """The same check on requests written out: each entry of the catalogue (with hours, without organization
    or point, suspended, for professionals), each list and export, an edit and a vacancy report that work."""
    client, auth = Client(application), {"Authorization": f"Token {catalogue.token}"}
    paths = catalogue.path_values
    requests = [("GET", "/api/v1/resources/{id}/", pk, {}) for pk in paths["/api/v1/resources/{id}/"]]
    requests += [
        ("GET", path, value, {}) for path in paths if "/resources/" not in path for value in paths[path]
    ]
    requests += [
        ("GET", path, None, query)
        for path, query in [
            ("/api/v1/resources/", {}),
            ("/api/v1/resources/", {"near": "36.65,138.19", "ordering": "distance"}),
            ("/api/v1/resources/", {"format": "geojson"}),
            ("/api/v1/categories/", {}),
            ("/api/v1/municipalities/", {}),
            ("/api/v1/regions/", {}),
            ("/api/v1/organizations/", {}),
            ("/api/hsda/services", {}),
            ("/api/hsda/organizations", {}),
        ]
    ]
    full = paths["/api/v1/resources/{id}/"][0]
    with in_process_requests():
        for method, path, value, query in requests:
            url = path.replace("{id}", str(value)).replace("{slug}", str(value)).replace("{code}", str(value))
            response = client.get(url, query_string=query, headers=auth)
            assert response.status_code == 200, (url, query, response.text)
            schema[path][method].validate_response(response)

        response = client.post(
            f"/api/v1/resources/{full}/vacancy/", json={"places": 1, "note": "午後のみ"}, headers=auth
        )
        assert response.status_code == 201, response.text
        schema["/api/v1/resources/{id}/vacancy/"]["POST"].validate_response(response)

        etag = client.get(f"/api/v1/resources/{full}/", headers=auth).headers["ETag"]
        response = client.patch(
            f"/api/v1/resources/{full}/",
            json={"hours_note": "祝日は休み"},
            headers={**auth, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        schema["/api/v1/resources/{id}/"]["PATCH"].validate_response(response)
