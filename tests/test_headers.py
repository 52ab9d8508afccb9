"""Headers every response carries: Cache-Control for signed-in users."""

import pytest
from rest_framework.authtoken.models import Token

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    resource = factories.ResourceFactory(name="ワークセンターさくら")
    return ["/", "/resources/", resource.get_absolute_url(), "/map/", "/api/v1/resources/"]


def test_every_response_to_a_signed_in_user_is_private_and_not_stored(client, pages):
    client.force_login(factories.planner())
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200
        directives = {word.strip() for word in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, path


def test_so_is_an_api_response_to_a_token(client, pages):
    token = Token.objects.create(user=factories.planner())
    response = client.get("/api/v1/resources/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_for_anonymous_visitors_are_not_marked_no_store(client, pages):
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), path
        assert "private" not in response.get("Cache-Control", ""), path
