"""The map: the builder (markers in, a folium map out: vendored assets, tiles from the setting, texts kept as
data) and the /map/ page (the search's FilterSet, who sees what, bad values, the cap on pins)."""

import html
import json
import re

import pytest
from django.test import override_settings

from directory.choices import Visibility
from directory.models import Category
from mapviews import builder, views
from mapviews.builder import Marker
from tests import factories

MAP = "/map/"
GSI_TILES = "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png"
NAGANO = (36.6486, 138.1944)


def rendered(folium_map):
    return folium_map.get_root().render()


def marker_rows(document):
    """The rows the map draws its pins from: [latitude, longitude, title, popup HTML, style]."""
    start = document.index("var data = ") + len("var data = ")
    rows, _end = json.JSONDecoder().raw_decode(document[start:])
    return rows


def external_urls(document):
    return set(re.findall(r"https?://[^\s\"'`<>)]+", document))


def map_document(response):
    """The map's own document, carried in the page by the iframe's srcdoc."""
    found = re.search(r'<iframe class="resource-map"[^>]* srcdoc="([^"]*)"', response.text)
    return html.unescape(found.group(1)) if found else None


def marker(name="ひまわり", latitude=NAGANO[0], longitude=NAGANO[1], popup="<p>ひまわり</p>"):
    return Marker(latitude=latitude, longitude=longitude, title=name, popup_html=popup)


# --- the builder --------------------------------------------------------------------------------------------


def test_the_map_loads_only_our_static_files_and_the_tiles_of_the_setting():
    document = rendered(builder.resource_map([marker()], tiles="gsi"))
    assert external_urls(document) == {GSI_TILES}
    scripts = re.findall(r'<script src="([^"]+)"', document)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', document)
    assert scripts == [
        "/static/mapviews/vendor/leaflet-1.9.4/leaflet.js",
        "/static/mapviews/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
    ]
    assert "/static/mapviews/vendor/leaflet-1.9.4/leaflet.css" in sheets
    assert '"iconUrl": "/static/mapviews/vendor/leaflet-1.9.4/images/marker-icon.png"' in document
    assert '"attribution": ' + json.dumps("出典: 地理院タイル") in document


def test_openstreetmap_tiles_are_an_option_and_none_names_no_outside_address_at_all():
    assert external_urls(rendered(builder.resource_map([marker()], tiles="osm"))) == {
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    }
    offline = rendered(builder.resource_map([marker()], tiles="none"))
    assert external_urls(offline) == set()
    # Without a tile layer the map itself must know its zoom limit, or the clusters show nothing.
    assert '"maxZoom": 18' in offline


def test_texts_reach_the_page_as_data_never_as_code():
    hostile = "</script><script>alert(1)</script>`${alert(2)}`\\"
    document = rendered(builder.resource_map([marker(name=hostile, popup="<p>&lt;b&gt;</p>")], tiles="none"))
    assert "<script>alert(1)" not in document
    assert marker_rows(document) == [[NAGANO[0], NAGANO[1], hostile, "<p>&lt;b&gt;</p>", "default"]]


def test_the_map_is_framed_on_the_searched_circle_else_on_the_markers_else_on_japan():
    around = rendered(builder.resource_map([], tiles="none", centre=NAGANO, radius_km=5))
    assert "L.circle(" in around
    assert re.search(r'"radius": 5000\b', around)
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", around).groups()
    south, west, north, east = map(float, bounds)
    assert south < NAGANO[0] < north and west < NAGANO[1] < east
    assert round((north - south) * 111.195 / 2, 1) == 5.0

    spread = rendered(builder.resource_map([marker(latitude=36.0), marker(latitude=37.0)], tiles="none"))
    assert re.search(r"fitBounds\(\s*\[\[36\.0, 138\.1944\], \[37\.0, 138\.1944\]\]", spread)

    empty = rendered(builder.resource_map([], tiles="none"))
    assert "fitBounds" not in empty
    assert '"zoom": 5' in empty


# --- the page -----------------------------------------------------------------------------------------------


@pytest.fixture
def nagano(db):
    return factories.MunicipalityFactory(
        code="202011", name="長野市", latitude=NAGANO[0], longitude=NAGANO[1]
    )


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_the_map_shows_the_public_the_public_entries_with_a_popup_each(client, nagano):
    public = factories.ResourceFactory(name="ワークセンターさくら", municipality=nagano, phone="026-000-0000")
    salon = factories.ResourceFactory(
        name="ふれあいサロン", primary_category=Category.objects.get(slug="salon"), municipality=nagano
    )
    factories.ResourceFactory(name="専門職向けの家", visibility=Visibility.PROFESSIONALS, municipality=nagano)
    owner = factories.planner()
    factories.ResourceFactory(
        name="近所のAさん", visibility=Visibility.PRIVATE, owner=owner, municipality=nagano
    )

    response = client.get(MAP)
    assert response.status_code == 200
    document = map_document(response)
    rows = {row[2]: row for row in marker_rows(document)}
    assert set(rows) == {public.name, salon.name}
    latitude, longitude, _title, popup, style = rows[public.name]
    assert (latitude, longitude, style) == (public.latitude, public.longitude, "formal")
    assert rows[salon.name][4] == "informal"  # a green pin (css/badges.css)
    assert f'href="{public.get_absolute_url()}" target="_top">ワークセンターさくら</a>' in popup
    assert 'href="tel:026-000-0000"' in popup
    assert "未確認" in popup
    assert "2 か所を表示しています" in response.text
    assert "専門職向けの家" not in response.text and "近所のAさん" not in response.text

    client.force_login(owner)
    titles = {row[2] for row in marker_rows(map_document(client.get(MAP)))}
    assert titles == {"ワークセンターさくら", "ふれあいサロン", "専門職向けの家", "近所のAさん"}


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_the_map_takes_the_search_parameters_and_links_to_the_same_list(client, nagano):
    group_home = Category.objects.get(slug="group-home")
    factories.ResourceFactory(name="グループホームりんご", primary_category=group_home, municipality=nagano)
    factories.ResourceFactory(name="ワークセンターさくら", municipality=nagano)
    factories.ResourceFactory(name="遠くの作業所", latitude=35.0, longitude=135.0, municipality=nagano)
    factories.ResourceFactory(name="場所のない作業所", latitude=None, longitude=None, municipality=nagano)

    response = client.get(MAP, {"q": "ぐるーぷほーむ"})
    assert [row[2] for row in marker_rows(map_document(response))] == ["グループホームりんご"]
    assert 'href="/resources/?q=%E3%81%90' in response.text

    near = client.get(MAP, {"near_address": "長野市", "radius_km": "5", "support_level": "3"})
    titles = {row[2] for row in marker_rows(map_document(near))}
    assert titles == {"グループホームりんご", "ワークセンターさくら"}
    assert 'type="hidden" name="support_level" value="3"' in near.text  # kept when the form is sent again
    assert "2 か所を表示しています" in near.text

    search_page = client.get("/resources/", {"q": "作業所"})
    assert 'href="/map/?q=%E4%BD%9C%E6%A5%AD%E6%89%80"' in search_page.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("radius_km=-1&near_address=長野市", "radius_km"),
        ("near=abc", "near"),
        ("support_level=9", "support_level"),
    ],
)
def test_a_bad_value_is_a_400_naming_the_parameter_and_draws_no_map(client, nagano, query, parameter):
    response = client.get(MAP + "?" + query)
    assert response.status_code == 400
    assert f'<ul class="errorlist" data-parameter="{parameter}">' in response.text
    assert map_document(response) is None


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_a_map_of_many_resources_shows_the_first_and_says_so(client, nagano, monkeypatch):
    monkeypatch.setattr(views, "MAX_MARKERS", 2)
    for name in ("あ", "い", "う"):
        factories.ResourceFactory(name=name, name_kana=name, municipality=nagano)
    response = client.get(MAP)
    assert [row[2] for row in marker_rows(map_document(response))] == ["あ", "い"]
    assert "先に見つかった 2 か所を表示しています" in response.text


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_the_home_page_and_an_entry_lead_to_the_map(client, nagano):
    home = client.get("/").text
    assert '<button type="submit" formaction="/map/"' in home  # the quick search, shown on the map
    resource = factories.ResourceFactory(name="ワークセンターさくら", latitude=36.65, longitude=138.19)
    factories.ResourceFactory(name="となりの作業所", latitude=36.655, longitude=138.195)
    factories.ResourceFactory(name="遠くの作業所", latitude=36.0, longitude=138.19)
    link = re.search(r'<a href="([^"]+)" id="nearby-map">', client.get(resource.get_absolute_url()).text)
    nearby = client.get(html.unescape(link.group(1)))
    assert [row[2] for row in marker_rows(map_document(nearby))] == ["ワークセンターさくら", "となりの作業所"]


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_a_map_of_nothing_says_so(client, nagano):
    factories.ResourceFactory(name="ワークセンターさくら")
    response = client.get(MAP, {"q": "存在しない名前"})
    assert marker_rows(map_document(response)) == []
    assert "条件に合う資源は見つかりませんでした" in response.text


# --- texts are data, never a template (branca renders each script a second time as Jinja2) ----------------

TEMPLATE_CODE = ["{{7*7}}", "{% debug %}", "名前{{", "{# note", "{{ config.items() }}"]


@pytest.mark.parametrize("text", TEMPLATE_CODE)
def test_template_code_in_a_title_or_popup_is_shown_as_typed(text):
    document = rendered(builder.resource_map([marker(name=text, popup=f"<p>{text}</p>")], tiles="none"))
    assert marker_rows(document) == [[NAGANO[0], NAGANO[1], text, f"<p>{text}</p>", "default"]]


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_template_code_typed_into_any_field_of_an_entry_reaches_the_map_as_typed(client, nagano):
    category = Category.objects.get(slug="group-home")
    category.name = "{{7*7}}の家"
    category.save()
    organization = factories.OrganizationFactory(name="{% debug %}法人")
    factories.ResourceFactory(
        name="{{7*7}}",
        address="長野市{% debug %}1-2",
        phone="{{",
        primary_category=category,
        organization=organization,
        municipality=nagano,
    )
    factories.ResourceFactory(name="終わりが{{", municipality=nagano)

    response = client.get(MAP)
    assert response.status_code == 200
    rows = {row[2]: row for row in marker_rows(map_document(response))}
    assert set(rows) == {"{{7*7}}", "終わりが{{"}
    popup = rows["{{7*7}}"][3]
    assert "{{7*7}}の家" in popup and "長野市{% debug %}1-2" in popup and ">{{</a>" in popup
    assert client.get(MAP, {"q": "debug"}).status_code == 200  # the organization's name is searched too
