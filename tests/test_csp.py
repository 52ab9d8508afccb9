"""The Content-Security-Policy of every page: our own files only, inline code only with the request's nonce
(the map's folium document and the Swagger UI carry it), the map's tile host among the images of the map
page alone, and the map's frame sandboxed. tests/test_browser.py checks in Chromium that nothing breaks it."""

import html
import re

import pytest

from mapviews.maps import with_nonce
from tests import factories

pytestmark = pytest.mark.django_db

GSI = "https://cyberjapandata.gsi.go.jp"
OSM = "https://tile.openstreetmap.org"


def policy(response):
    """The policy's directives: {"img-src": ["'self'", "data:"], …}."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


def nonce_of(response):
    (source,) = [value for value in policy(response)["script-src"] if value.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def map_document(response):
    return html.unescape(re.search(r' srcdoc="([^"]*)"', response.text).group(1))


@pytest.fixture
def entry():
    return factories.ResourceFactory(name="ワークセンターさくら", latitude=36.65, longitude=138.19)


def test_every_page_has_the_policy(client, entry):
    paths = ["/", "/resources/", entry.get_absolute_url(), "/map/", "/api/docs/", "/accounts/login/"]
    for path in [*paths, "/admin/login/", "/api/v1/resources/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in directives["script-src"] + directives["style-src"], path
        assert "'unsafe-eval'" not in directives["script-src"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["frame-ancestors"] == ["'none'"], path


@pytest.mark.parametrize(("tiles", "host"), [("gsi-pale", [GSI]), ("osm", [OSM]), ("none", [])])
def test_the_map_page_alone_may_show_images_of_its_tile_host(client, settings, entry, tiles, host):
    settings.MAP_TILES = tiles
    assert policy(client.get("/map/"))["img-src"] == ["'self'", "data:", *host]
    assert policy(client.get("/resources/"))["img-src"] == ["'self'", "data:"]


def test_every_script_and_style_of_the_map_carries_the_pages_nonce(client, entry):
    response = client.get("/map/")
    document = map_document(response)
    nonce = nonce_of(response)
    tags = re.findall(r"<(?:script|style)\b[^>]*>", document)
    assert len(tags) >= 4
    for tag in tags:
        assert f'nonce="{nonce}"' in tag or 'src="/static/' in tag, tag


def test_a_script_tag_inside_a_scripts_text_stays_text():
    document = '<html><head><style>p{}</style><script>var s = "<script>alert(1)";</script></head></html>'
    assert with_nonce(document, "N0nce") == (
        '<html><head><style nonce="N0nce">p{}</style>'
        '<script nonce="N0nce">var s = "<script>alert(1)";</script></head></html>'
    )


def test_the_map_frame_is_sandboxed_without_its_pages_origin(client, entry):
    frame = re.search(r"<iframe [^>]*>", client.get("/map/").text).group(0)
    tokens = set(re.search(r' sandbox="([^"]*)"', frame).group(1).split())
    assert tokens == {"allow-scripts", "allow-popups", "allow-top-navigation-by-user-activation"}


def test_the_swagger_ui_runs_its_inline_script_and_style_by_the_nonce(client):
    response = client.get("/api/docs/")
    nonce = nonce_of(response)
    assert f'<script nonce="{nonce}">' in response.text
    assert f'<style nonce="{nonce}">' in response.text
    assert '"validatorUrl": null' in response.text  # no badge from the public validator


def test_a_plan_map_may_be_framed_by_our_own_pages_and_load_its_tiles(client, settings):
    """The plan page shows its map in a frame: that response alone allows our own pages as its frame's
    parent (every other response: 'none'), and lets the map load the tiles of MAP_TILES."""
    settings.MAP_TILES = "gsi-pale"
    plan = factories.plan()
    client.force_login(plan.owner)
    directives = policy(client.get(f"/map/plans/{plan.pk}/"))
    assert directives["frame-ancestors"] == ["'self'"]
    assert GSI in directives["img-src"]
    assert policy(client.get(f"/plans/{plan.pk}/"))["frame-ancestors"] == ["'none'"]


def test_an_entry_map_may_be_framed_by_our_own_pages_and_load_its_tiles(client, settings):
    settings.MAP_TILES = "gsi-pale"
    resource = factories.ResourceFactory(latitude=36.65, longitude=138.19)
    directives = policy(client.get(f"/map/resources/{resource.pk}/"))
    assert directives["frame-ancestors"] == ["'self'"]
    assert GSI in directives["img-src"]
    assert policy(client.get(resource.get_absolute_url()))["frame-ancestors"] == ["'none'"]
