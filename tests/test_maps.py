"""The map: the builder (pins in, a folium map out: vendored assets, tiles from the setting, texts kept as
data) and the /map/ page (the search's FilterSet, the default area, who sees what, bad values, the cap on
pins, the numbered list beside the map), and the popups a map asks for (/map/pins/<id>/)."""

import html
import json
import re
from datetime import time, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from directory import services
from directory.choices import FeeKind, FeeUnit, Visibility
from directory.models import Category, Feature, Region
from mapviews import maps, views
from mapviews.maps import Pin
from tests import factories

MAP = "/map/"
GSI_TILES = "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png"
KEY, TITLE = 0, 4  # a pin: [key, latitude, longitude, group's index, title, note?]
NAGANO = (36.6486, 138.1944)


def rendered(folium_map):
    return folium_map.get_root().render()


def map_data(document):
    """The data the map draws its pins from: {"groups", "numbered", "words", "pins"} (see KEY)."""
    found = re.search(r'<script[^>]* type="application/json" id="map-pins">(.*?)</script>', document, re.S)
    return json.loads(found.group(1))


def pin_rows(document):
    return map_data(document)["pins"]


def titles(response):
    return [row[TITLE] for row in pin_rows(map_document(response))]


def popup(client, resource):
    """A resource's popup as the map asks for it, its lines as pins.js shows them: {label: text}, with the
    links as (text, link)."""
    facts = client.get(f"/map/pins/{resource.pk}/").json()
    return {label: (text, link) if link else text for label, text, link in facts["lines"]}


def external_urls(document):
    return set(re.findall(r"https?://[^\s\"'`<>)]+", document))


def map_document(response):
    """The map's own document, carried in the page by the iframe's srcdoc."""
    found = re.search(r'<iframe class="resource-map"[^>]* srcdoc="([^"]*)"', response.text)
    return html.unescape(found.group(1)) if found else None


def pin(name="ひまわり", latitude=NAGANO[0], longitude=NAGANO[1], key=7):
    return Pin(latitude=latitude, longitude=longitude, title=name, key=key)


# --- the builder --------------------------------------------------------------------------------------------


def test_the_map_loads_only_our_static_files_and_the_tiles_of_the_setting():
    document = rendered(maps.resource_map([pin()], tiles="gsi-pale"))
    assert external_urls(document) == {GSI_TILES}
    scripts = re.findall(r'<script src="([^"]+)"', document)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', document)
    assert scripts == [
        "/static/mapviews/vendor/leaflet-1.9.4/leaflet.js",
        "/static/mapviews/fit-when-sized.js",
        "/static/mapviews/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
        "/static/mapviews/pins.js",
    ]
    assert "/static/mapviews/vendor/leaflet-1.9.4/leaflet.css" in sheets
    assert "/static/mapviews/vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css" in sheets
    assert '"attribution": ' + json.dumps("出典: 地理院タイル") in document


def test_openstreetmap_tiles_are_an_option_and_none_names_no_outside_address_at_all():
    assert external_urls(rendered(maps.resource_map([pin()], tiles="osm"))) == {
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    }
    offline = rendered(maps.resource_map([pin()], tiles="none"))
    assert external_urls(offline) == set()
    # Without a tile layer the map itself must know its zoom limit, or the clusters show nothing.
    assert '"maxZoom": 18' in offline


def test_texts_reach_the_page_as_data_never_as_code():
    hostile = "</script><script>alert(1)</script>`${alert(2)}`\\<b>\u2028"
    hostile_pin = Pin(*NAGANO, title=hostile, group="informal", key=3, note="<b>")
    document = rendered(maps.resource_map([hostile_pin, pin()], tiles="none", numbered=1))
    assert "<script>alert(1)" not in document and "<b>" not in document
    data = map_data(document)
    assert data["pins"] == [[3, *NAGANO, 0, hostile, "<b>"], [7, *NAGANO, 1, "ひまわり"]]
    assert data["groups"] == ["informal", "default"] and data["numbered"] == 1


def test_the_frame_is_a_titled_japanese_document_that_a_person_may_zoom():
    document = maps.map_document(maps.resource_map([pin()], tiles="none"), nonce="n0nce")
    assert document.startswith('<!DOCTYPE html>\n<html lang="ja">\n<head>\n<title>資源の地図</title>')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1" />' in document
    assert "user-scalable=no" not in document and "maximum-scale" not in document
    # Its inline scripts and styles run under the page's Content-Security-Policy: they carry its nonce.
    assert document.count("<script>") == document.count("<style>") == 0
    assert '<script nonce="n0nce">' in document and '<style nonce="n0nce">' in document


def test_the_map_is_framed_on_the_searched_circle_else_on_the_markers_else_on_japan():
    around = rendered(maps.resource_map([], tiles="none", centre=NAGANO, radius_km=5))
    assert "L.circle(" in around
    assert re.search(r'"radius": 5000\b', around)
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", around).groups()
    south, west, north, east = map(float, bounds)
    assert south < NAGANO[0] < north and west < NAGANO[1] < east
    assert round((north - south) * 111.195 / 2, 1) == 5.0

    spread = rendered(maps.resource_map([pin(latitude=36.0), pin(latitude=37.0)], tiles="none"))
    assert re.search(r"fitBounds\(\s*\[\[36\.0, 138\.1944\], \[37\.0, 138\.1944\]\]", spread)

    empty = rendered(maps.resource_map([], tiles="none"))
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
    public = factories.ResourceFactory(
        name="ワークセンターさくら",
        municipality=nagano,
        phone="026-000-0000",
        address="長野市大字鶴賀1",
        accepts_intellectual=True,
        hours=[{"day_type": "weekday", "opens": time(9), "closes": time(16), "text": ""}],
        closed_days="日曜",
        fees=[{"kind": FeeKind.FIXED, "description": "昼食代", "amount_yen": 300, "unit": FeeUnit.PER_DAY}],
        features=[Feature.objects.get(slug="transport")],
    )
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
    data = map_data(map_document(response))
    rows = {row[TITLE]: row for row in data["pins"]}
    assert set(rows) == {public.name, salon.name}
    key, latitude, longitude, group, _title = rows[public.name]
    assert (key, latitude, longitude) == (public.pk, public.latitude, public.longitude)
    assert data["groups"][group] == "welfare-services"  # the pin's colour
    assert data["groups"][rows[salon.name][3]] == "informal"
    facts = client.get(f"/map/pins/{public.pk}/").json()
    assert (facts["title"], facts["url"]) == (public.name, public.get_absolute_url())
    assert facts["subtitle"] == f"{public.primary_category}・長野市"
    assert popup(client, public) == {
        "住所": "長野市大字鶴賀1",
        "電話": ("026-000-0000", "tel:026-000-0000"),
        "時間": "平日 09:00〜16:00、休み: 日曜",
        "負担": "昼食代 300円/1日",
        "対象": "知的障害",
        "送迎": "あり",
        "空き": "不明",
        "確認日": "未確認",
    }
    assert "2 か所を表示しています" in response.text
    assert "専門職向けの家" not in response.text and "近所のAさん" not in response.text

    hidden = factories.ResourceFactory(
        name="非公開", visibility=Visibility.PRIVATE, owner=owner, municipality=nagano
    )
    assert client.get(f"/map/pins/{hidden.pk}/").status_code == 404  # a popup shows what its map may show

    client.force_login(owner)
    assert set(titles(client.get(MAP))) == {
        "ワークセンターさくら",
        "ふれあいサロン",
        "専門職向けの家",
        "近所のAさん",
        "非公開",
    }
    assert client.get(f"/map/pins/{hidden.pk}/").json()["title"] == "非公開"


@pytest.mark.django_db
@override_settings(MAP_TILES="none", VACANCY_FRESH_DAYS=30)
def test_a_popup_says_a_vacancy_only_while_it_is_fresh_and_says_when_an_office_is_not_accepting(
    client, nagano
):
    reporter = factories.coordinator()
    fresh = factories.ResourceFactory(name="新しい報告", municipality=nagano)
    services.vacancy_report(resource=fresh, by=reporter, places=2)
    old = factories.ResourceFactory(name="古い報告", municipality=nagano)
    services.vacancy_report(resource=old, by=reporter, places=5, as_of=timezone.now() - timedelta(days=45))
    stopped = factories.ResourceFactory(name="受付停止", municipality=nagano, status="not_accepting")
    today = timezone.localdate().isoformat()
    assert popup(client, fresh)["空き"] == f"空き 2（{today}時点）"
    assert popup(client, old)["空き"] == "不明"  # never a stale number
    assert popup(client, stopped)["状態"] == "新規受付停止"
    assert popup(client, stopped)["負担"] == "未登録"


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_the_first_pins_are_numbered_as_the_list_beside_the_map(client, nagano, monkeypatch):
    monkeypatch.setattr(views, "LISTED", 2)
    for name in ("あ", "い", "う"):
        factories.ResourceFactory(name=name, name_kana=name, municipality=nagano, phone="026-1")
    response = client.get(MAP)
    data = map_data(map_document(response))
    assert data["numbered"] == 2 and [row[TITLE] for row in data["pins"]] == ["あ", "い", "う"]
    assert data["clustered"] is True  # the public map's pins are clustered where they crowd
    listed = re.findall(r'<li data-number="(\d+)">.*?<a href="[^"]+">([^<]+)</a>', response.text, re.S)
    assert listed == [("1", "あ"), ("2", "い")]
    assert "番号は先の 2 か所です" in response.text
    assert '<a href="#map-list" class="skip-link">' in response.text


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_a_map_without_an_area_opens_on_the_default_region_never_all_of_japan(client, nagano):
    suzaka = factories.MunicipalityFactory(code="202070", name="須坂市", latitude=36.65, longitude=138.31)
    sapporo = factories.MunicipalityFactory(code="011002", name="札幌市", latitude=43.06, longitude=141.35)
    region = Region.objects.create(slug="hokushin", name="北信圏域")
    region.municipalities.set([nagano, suzaka])
    factories.ResourceFactory(name="長野の作業所", municipality=nagano)
    factories.ResourceFactory(name="須坂の作業所", municipality=suzaka, latitude=36.65, longitude=138.31)
    factories.ResourceFactory(name="札幌の作業所", municipality=sapporo, latitude=43.06, longitude=141.35)

    response = client.get(MAP)
    assert set(titles(response)) == {"長野の作業所", "須坂の作業所"}
    assert "北信圏域" in response.text
    assert (
        'data-parameter="region"' not in response.text
    )  # not a condition to drop: it is where the map opens
    assert titles(client.get(MAP, {"municipality": "011002"})) == ["札幌の作業所"]
    assert titles(client.get(MAP, {"near_address": "札幌市"})) == ["札幌の作業所"]
    with override_settings(MAP_DEFAULT_REGION="nowhere"):
        assert len(titles(client.get(MAP))) == 3  # a setting naming no region: the whole catalogue


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_the_map_takes_the_search_parameters_and_links_to_the_same_list(client, nagano):
    group_home = Category.objects.get(slug="group-home")
    factories.ResourceFactory(name="グループホームりんご", primary_category=group_home, municipality=nagano)
    factories.ResourceFactory(name="ワークセンターさくら", municipality=nagano)
    factories.ResourceFactory(name="遠くの作業所", latitude=35.0, longitude=135.0, municipality=nagano)
    factories.ResourceFactory(name="場所のない作業所", latitude=None, longitude=None, municipality=nagano)

    response = client.get(MAP, {"q": "ぐるーぷほーむ"})
    assert titles(response) == ["グループホームりんご"]
    assert 'href="/resources/?q=%E3%81%90' in response.text

    near = client.get(MAP, {"near_address": "長野市", "radius_km": "5", "support_level": "3"})
    assert set(titles(near)) == {"グループホームりんご", "ワークセンターさくら"}
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
    for name in ("あ", "い", "う"):
        factories.ResourceFactory(name=name, name_kana=name, municipality=nagano)
    with override_settings(MAP_MAX_MARKERS=2):
        response = client.get(MAP)
    assert titles(response) == ["あ", "い"]
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
    assert titles(nearby) == ["ワークセンターさくら", "となりの作業所"]


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_an_entry_shows_its_own_mini_map_to_whoever_may_see_the_entry(client, nagano):
    resource = factories.ResourceFactory(name="ワークセンターさくら", latitude=36.65, longitude=138.19)
    page = client.get(resource.get_absolute_url()).text
    assert f'data-pin-url="/map/pins/0/" src="/map/resources/{resource.pk}/"' in page
    response = client.get(f"/map/resources/{resource.pk}/")
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    assert pin_rows(response.content.decode()) == [[resource.pk, 36.65, 138.19, 0, "ワークセンターさくら"]]
    assert "fitBounds" in response.content.decode()  # on its streets, not on all of Japan

    unplaced = factories.ResourceFactory(name="場所のない作業所", latitude=None, longitude=None)
    assert "/map/resources/" not in client.get(unplaced.get_absolute_url()).text
    assert client.get(f"/map/resources/{unplaced.pk}/").status_code == 404
    private = factories.ResourceFactory(visibility=Visibility.PRIVATE, owner=factories.planner())
    assert client.get(f"/map/resources/{private.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_popup_is_read_in_the_same_few_queries_whatever_the_entry_holds(
    client, nagano, django_assert_max_num_queries
):
    resource = factories.ResourceFactory(
        hours=[{"day_type": day, "opens": time(9), "closes": time(16)} for day in ("weekday", "saturday")],
        fees=[{"kind": FeeKind.FIXED, "description": f"費用{n}", "amount_yen": 100, "unit": FeeUnit.PER_DAY}
              for n in range(3)],
        features=list(Feature.objects.all()[:3]),
    )  # fmt: skip
    with django_assert_max_num_queries(6):
        facts = client.get(f"/map/pins/{resource.pk}/").json()
    assert "土曜 09:00〜16:00" in dict((label, text) for label, text, _link in facts["lines"])["時間"]


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_a_map_of_nothing_says_so(client, nagano):
    factories.ResourceFactory(name="ワークセンターさくら")
    response = client.get(MAP, {"q": "存在しない名前"})
    assert pin_rows(map_document(response)) == []
    assert "条件に合う資源は見つかりませんでした" in response.text


# --- texts are data, never a template (branca renders each script a second time as Jinja2) ----------------

TEMPLATE_CODE = ["{{7*7}}", "{% debug %}", "名前{{", "{# note", "{{ config.items() }}"]


@pytest.mark.parametrize("text", TEMPLATE_CODE)
def test_template_code_in_a_title_or_note_is_shown_as_typed(text):
    document = rendered(maps.resource_map([Pin(*NAGANO, title=text, key=7, note=text)], tiles="none"))
    assert pin_rows(document) == [[7, *NAGANO, 0, text, text]]


@pytest.mark.django_db
@override_settings(MAP_TILES="none")
def test_template_code_typed_into_any_field_of_an_entry_reaches_the_map_as_typed(client, nagano):
    category = Category.objects.get(slug="group-home")
    category.name = "{{7*7}}の家"
    category.save()
    organization = factories.OrganizationFactory(name="{% debug %}法人")
    resource = factories.ResourceFactory(
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
    assert set(titles(response)) == {"{{7*7}}", "終わりが{{"}
    assert client.get(f"/map/pins/{resource.pk}/").json()["subtitle"] == "{{7*7}}の家・長野市"
    assert popup(client, resource)["住所"] == "長野市{% debug %}1-2"
    assert popup(client, resource)["電話"] == ("{{", "tel:{{")
    assert ">{{7*7}}</a>" in response.text  # in the list beside the map too
    assert client.get(MAP, {"q": "debug"}).status_code == 200  # the organization's name is searched too
