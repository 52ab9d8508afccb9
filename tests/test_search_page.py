"""The search page /resources/ and its CSV export, through the Django test client: what a result row shows,
pagination, a 400 naming the parameter for every bad value, the CSV, who sees what, and a query count that
does not grow with the number of rows."""

import csv
import io
import re
from datetime import time, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from directory import services
from directory.choices import FeeKind, FeeUnit, ResourceStatus, Visibility
from directory.models import Category, Feature, Resource
from tests import factories
from tests.helpers import shared_rows

pytestmark = pytest.mark.django_db

SEARCH = "/resources/"
CSV_URL = "/resources/export.csv"
CSV_HEADER = [
    "名称", "よみがな", "サービス種別", "法人", "事業所番号", "住所", "市区町村", "電話番号", "時間", "対象",
    "送迎", "定員", "空き", "空きの報告日", "状態", "利用者負担", "確認日", "距離(km)", "URL",
]  # fmt: skip
SUZAKA = (36.6513, 138.307)
KM_PER_DEGREE_LATITUDE = 111.19508  # on the sphere of the distance query (6371.0088 km)


def result_ids(response):
    return [int(pk) for pk in re.findall(r'<li class="result card" data-resource-id="(\d+)"', response.text)]


def result_cards(response):
    """Each result's HTML, by resource id."""
    cards = response.text.split('<li class="result card" data-resource-id="')[1:]
    return {int(card.split('"', 1)[0]): card.split("</li>", 1)[0] for card in cards}


def field_html(response, name):
    """The form field block of one parameter: label, input and its errors."""
    start = response.text.index(f'id="field-{name}"')
    end = response.text.find('<div class="field', start)
    return response.text[start:end]


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="resources.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    table = list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))
    assert table[0] == CSV_HEADER
    return table[1:]


def csv_records(response):
    """The CSV's rows as {header: cell}, by 名称."""
    return {row[0]: dict(zip(CSV_HEADER, row, strict=True)) for row in csv_rows(response)}


def pks(*names):
    return set(Resource.objects.filter(name__in=names).values_list("pk", flat=True))


def user(username):
    return get_user_model().objects.get(username=username)


class FormSubmission(HTMLParser):
    """The pairs a browser sends when the search form is submitted as rendered: text and number inputs with
    their value, ticked checkboxes, and the selected (else the first) option of each single select."""

    def __init__(self, html):
        super().__init__()
        self.pairs, self.in_form, self.select = [], False, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "search-form":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and attrs.get("type") == "checkbox":
            if "checked" in attrs:
                self.pairs.append((attrs["name"], attrs.get("value") or "on"))
        elif tag == "input" and attrs.get("type") not in ("submit", "button"):
            self.pairs.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self.select = {"name": attrs["name"], "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append((attrs["value"], "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not self.select["multiple"]:
                chosen = [options[0][0]]
            self.pairs += [(self.select["name"], value) for value in chosen]
            self.select = None


def submit_form(client, response):
    return client.get(SEARCH + "?" + urlencode(FormSubmission(response.text).pairs))


# --- what a result shows ----------------------------------------------------------------------------------


@pytest.fixture
def described():
    """Three resources near 須坂市 showing each state a result row can be in."""
    now = timezone.now()
    nagano = factories.PrefectureFactory()
    suzaka = factories.MunicipalityFactory(
        prefecture=nagano, code="202070", name="須坂市", latitude=SUZAKA[0], longitude=SUZAKA[1]
    )
    reporter = factories.UserFactory()
    fresh = factories.ResourceFactory(
        name="すざか作業所",
        municipality=suzaka,
        latitude=SUZAKA[0] + 1.5 / KM_PER_DEGREE_LATITUDE,
        longitude=SUZAKA[1],
        capacity=20,
        fees=[
            {"kind": FeeKind.PUBLIC_10_PERCENT},
            {"kind": FeeKind.FIXED, "amount_yen": 500, "unit": FeeUnit.PER_DAY, "description": "食費"},
        ],
    )
    services.vacancy_report(resource=fresh, by=reporter, places=3, as_of=now - timedelta(days=2))
    services.resource_verify(resource=fresh, by=reporter, at=now - timedelta(days=5))
    stale = factories.ResourceFactory(
        name="ひまわり工房",
        municipality=suzaka,
        latitude=SUZAKA[0] + 4.3 / KM_PER_DEGREE_LATITUDE,
        longitude=SUZAKA[1],
        capacity=None,
        status=ResourceStatus.NOT_ACCEPTING,
    )
    services.vacancy_report(resource=stale, by=reporter, places=1, as_of=now - timedelta(days=45))
    services.resource_verify(resource=stale, by=reporter, at=now - timedelta(days=400))
    full = factories.ResourceFactory(
        name="満員の家", municipality=suzaka, latitude=SUZAKA[0], longitude=SUZAKA[1], capacity=6
    )
    services.vacancy_report(resource=full, by=reporter, places=0, as_of=now - timedelta(days=1))
    return fresh, stale, full


def local_date(moment):
    return timezone.localtime(moment).date().isoformat()


def test_a_result_shows_distance_fees_capacity_vacancy_with_its_age_and_freshness(client, described):
    fresh, stale, full = described
    response = client.get(SEARCH, {"near_address": "須坂市"})
    assert response.status_code == 200
    assert "3 件" in response.text
    assert "長野県須坂市の近く" in response.text
    assert result_ids(response) == [full.pk, fresh.pk, stale.pk]  # nearest first
    cards = result_cards(response)

    card = cards[fresh.pk]
    assert "すざか作業所" in card
    assert '<span class="distance">1.5 km</span>' in card
    assert "定員 20人" in card
    assert "公費（1割負担）" in card
    assert "食費 500円/1日" in card
    vacancy_date = local_date(fresh.latest_vacancy.as_of)
    assert f'<span class="badge fresh" data-vacancy="places">空き 3（{vacancy_date}・2日前）</span>' in card
    assert f'data-freshness="fresh">確認日 {local_date(fresh.verified_at)}（5日前）' in card

    card = cards[stale.pk]
    assert '<span class="distance">4.3 km</span>' in card
    assert "定員" not in card
    assert "<dt>負担</dt><dd>未登録</dd>" in card
    # 新規受付停止: no vacancy to offer, whatever it reported 45 days ago; not confirmed for over a year.
    assert "空き 1" not in card
    assert '<span class="badge full" data-vacancy="not-accepting">新規受付停止</span>' in card
    assert f'data-freshness="stale">未確認（最後の確認 {local_date(stale.verified_at)}・400日前）' in card

    card = cards[full.pk]
    assert '<span class="distance">0.0 km</span>' in card
    assert "定員 6人" in card
    assert "空きなし（" in card
    assert 'data-freshness="never"' in card
    assert "未確認" in card


def test_the_csv_says_hours_groups_transport_and_status_in_the_words_of_the_card(client):
    open_weekdays = factories.ResourceFactory(
        name="ワークセンターさくら",
        hours=[{"day_type": "weekday", "opens": time(9), "closes": time(16), "text": ""}],
        closed_days="日曜",
        features=[Feature.objects.get(slug="transport")],
        accepts_intellectual=True,
        accepts_mental=True,
        status=ResourceStatus.NOT_ACCEPTING,
    )
    factories.ResourceFactory(name="登録のない家")
    records = csv_records(client.get(CSV_URL))
    said = {name: [records[name][column] for column in ("時間", "対象", "送迎", "状態")] for name in records}
    assert said == {
        "ワークセンターさくら": [
            "平日 09:00〜16:00、休み: 日曜",
            "知的障害・精神障害",
            "あり",
            "新規受付停止",
        ],
        # The card lists no hours and no 送迎 it does not know of, and 利用受付中 is no badge.
        "登録のない家": ["", "指定なし", "", ""],
    }
    card = result_cards(client.get(SEARCH))[open_weekdays.pk]
    assert "<dt>時間</dt><dd>平日 09:00〜16:00、休み: 日曜</dd>" in card
    assert "<dt>対象</dt><dd>知的障害・精神障害</dd>" in card
    assert "<dt>送迎</dt><dd>あり</dd>" in card
    assert 'data-vacancy="not-accepting">新規受付停止</span>' in card


def test_a_result_without_a_point_or_a_report_says_so(client):
    factories.ResourceFactory(name="座標なし", latitude=None, longitude=None)
    response = client.get(SEARCH)
    (card,) = result_cards(response).values()
    assert 'class="distance"' not in card
    assert "空き情報なし" in card
    assert 'data-freshness="never"' in card


def test_without_a_match_the_page_says_so(client):
    factories.ResourceFactory(name="ひまわり")
    response = client.get(SEARCH, {"q": "みつからない"})
    assert response.status_code == 200
    assert "0 件" in response.text
    assert "条件に合う資源は見つかりませんでした" in response.text


# --- a longer result: pagination, CSV, visibility --------------------------------------------------------


class TestLongResult:
    """21 public rows (15 in 須坂市, 6 in 小布施町) and, beside them in 須坂市, one row for professionals, one
    private to its owner and one closed."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            owner = factories.planner(username="owner")
            factories.planner(username="planner")
            factories.coordinator(username="coordinator")
            here = factories.MunicipalityFactory(code="202070", name="須坂市")
            elsewhere = factories.MunicipalityFactory(code="205419", name="小布施町")
            reporter = factories.UserFactory()
            # One organization and no street address, so that no random Faker name (山田会 …) is searchable.
            organization = factories.OrganizationFactory(
                name="社会福祉法人すざか福祉会", name_kana="すざかふくしかい"
            )
            for n in range(1, 22):
                resource = factories.ResourceFactory(
                    name=f"作業所{n:02d}",
                    name_kana=f"さぎょうしょ{n:02d}",
                    organization=organization,
                    address="",
                    municipality=here if n <= 15 else elsewhere,
                    fees=[{"kind": FeeKind.FIXED, "amount_yen": 100 * n, "unit": FeeUnit.PER_MONTH}],
                )
                services.vacancy_report(resource=resource, by=reporter, places=n % 3)
            factories.ResourceFactory(
                name="専門職向けの会",
                name_kana="せんもんしょく",
                visibility=Visibility.PROFESSIONALS,
                municipality=here,
                organization=organization,
                address="",
            )
            factories.ResourceFactory(
                name="近所の山田さん",
                name_kana="やまださん",
                visibility=Visibility.PRIVATE,
                owner=owner,
                municipality=here,
                organization=None,
                address="",
                primary_category=Category.objects.get(slug="friends-neighbours"),
            )
            factories.ResourceFactory(
                name="廃止した作業所",
                name_kana="はいし",
                status=ResourceStatus.CLOSED,
                municipality=here,
                organization=organization,
                address="",
            )
            yield

    @property
    def public(self):
        return {f"作業所{n:02d}" for n in range(1, 22)}

    @property
    def elsewhere(self):
        return {f"作業所{n:02d}" for n in range(16, 22)}

    def test_21_rows_make_two_pages(self, client):
        first = client.get(SEARCH)
        assert first.status_code == 200
        assert "21 件" in first.text
        assert len(result_ids(first)) == 20
        assert "1 / 2 ページ" in first.text
        second = client.get(SEARCH, {"page": "2"})
        assert second.status_code == 200
        assert "2 / 2 ページ" in second.text
        assert result_ids(second) == list(pks("作業所21"))
        assert '<ol class="result-list" start="21">' in second.text
        assert set(result_ids(first)) | set(result_ids(second)) == pks(*self.public)

    def test_page_links_keep_the_query_string(self, client):
        params = {"q": "作業所", "kind": "formal", "ordering": "-capacity"}
        query = escape(urlencode(params))
        first = client.get(SEARCH, params)
        assert f'<a rel="next" href="?{query}&amp;page=2">' in first.text
        assert f'href="{CSV_URL}?{query}"' in first.text
        second = client.get(SEARCH, {**params, "page": 2})
        assert f'<a rel="prev" href="?{query}&amp;page=1">' in second.text
        assert "page=2&amp;" not in second.text  # the current page is not carried into the links
        assert f'href="{CSV_URL}?{query}"' in second.text

    @pytest.mark.parametrize("page", ["999", "3", "0", "-1", "abc"])
    def test_a_page_out_of_range_is_a_400_with_a_message(self, client, page):
        response = client.get(SEARCH, {"page": page})
        assert response.status_code == 400
        assert '<p class="errorlist" id="page-error">page は 1 から 2 までの数です。</p>' in response.text
        assert result_ids(response) == []

    def test_the_csv_has_every_matching_row_not_only_the_first_page(self, client):
        table = csv_rows(client.get(CSV_URL))
        assert len(table) == 21
        assert {row[0] for row in table} == self.public
        first = csv_records(client.get(CSV_URL))["作業所01"]
        assert first["よみがな"] == "さぎょうしょ01"
        assert first["サービス種別"] == "生活介護"
        assert first["市区町村"] == "須坂市"
        assert first["定員"] == "20"
        assert first["空き"] == "1"
        assert first["利用者負担"] == "定額 100円/1か月"
        assert first["URL"] == f"http://testserver/resources/{next(iter(pks('作業所01')))}/"

    def test_the_csv_takes_the_same_filters_and_order_as_the_page(self, client):
        params = {"municipality": "205419", "ordering": "-capacity", "fee_max": "2000"}
        page = client.get(SEARCH, params)
        table = csv_rows(client.get(CSV_URL, params))
        names = [row[0] for row in table]
        assert names == ["作業所16", "作業所17", "作業所18", "作業所19", "作業所20"]
        assert result_ids(page) == [next(iter(pks(name))) for name in names]
        assert csv_rows(client.get(CSV_URL, {"q": "作業所07"}))[0][0] == "作業所07"
        assert csv_rows(client.get(CSV_URL, {"q": "みつからない"})) == []

    def test_the_csv_of_a_bad_search_is_a_400(self, client):
        assert client.get(CSV_URL, {"near": "abc"}).status_code == 400

    def test_the_csv_of_a_bad_search_says_which_parameter_is_wrong(self, client):
        response = client.get(CSV_URL, {"near": "abc"})
        assert response.status_code == 400
        assert '<ul class="errorlist" data-parameter="near"><li>「緯度,経度」の形で' in response.text

    @pytest.mark.parametrize(
        ("username", "extra"),
        [
            (None, set()),  # anonymous: public entries only
            ("planner", {"専門職向けの会"}),  # a professional also sees entries for professionals
            ("coordinator", {"専門職向けの会"}),  # nobody sees another's private entry
            ("owner", {"専門職向けの会", "近所の山田さん"}),  # the owner sees their own private entry
        ],
    )
    def test_each_user_sees_only_what_they_may_in_results_and_csv(self, client, username, extra):
        if username:
            client.force_login(user(username))
        expected = self.public | extra
        assert {row[0] for row in csv_rows(client.get(CSV_URL))} == expected
        response = client.get(SEARCH, {"municipality": "202070"})
        assert set(result_ids(response)) == pks(*{name for name in expected if name not in self.elsewhere})
        # asking for the hidden entries by name or by status does not bring them back either
        assert {row[0] for row in csv_rows(client.get(CSV_URL, {"q": "専門職向け"}))} == extra & {
            "専門職向けの会"
        }
        assert {row[0] for row in csv_rows(client.get(CSV_URL, {"q": "山田"}))} == extra & {"近所の山田さん"}
        every_status = {"status": ResourceStatus.values}
        assert {row[0] for row in csv_rows(client.get(CSV_URL, every_status))} == expected | {
            "廃止した作業所"
        }
        assert set(result_ids(client.get(SEARCH, {**every_status, "q": "山田"}))) == pks(
            *extra & {"近所の山田さん"}
        )


# --- bad parameters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "key", "fragment"),
    [
        ({"radius_km": "-1"}, "radius_km", "0.1以上100以下"),
        ({"radius_km": "10000"}, "radius_km", "0.1以上100以下"),
        ({"near": "abc"}, "near", "緯度,経度"),
        ({"near": "95,10"}, "near", "-90〜90"),
        ({"support_level": "9"}, "support_level", "1以上6以下"),
        ({"municipality": "12"}, "municipality", "市区町村コード「12」はありません"),
        ({"ordering": "nonsense"}, "ordering", "使える値: distance, name_kana"),
        ({"free": "maybe"}, "free", "true か false"),
        ({"category": "nope"}, "category", "サービス種別「nope」はありません"),
        ({"open_on": "someday"}, "open_on", "使える値: mon, tue"),
        ({"disability": "other"}, "disability", "使える値: physical"),
        ({"age": "-3"}, "age", "0以上120以下"),
        ({"ordering": "distance"}, "ordering", "near か near_address が必要"),
        ({"near": "36.6,138.2", "near_address": "須坂市"}, "near_address", "どちらか一方"),
        ({"near_address": "どこにもない町"}, "near_address", "「どこにもない町」の場所がわかりません"),
        ({"has_vacancy": "perhaps"}, "has_vacancy", "true か false"),
        ({"fee_max": "-1"}, "fee_max", "0以上"),
        ({"kind": "other"}, "kind", "使える値: formal, informal"),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_a_bad_parameter_is_a_400_with_the_error_beside_its_field(client, params, key, fragment):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    field = field_html(response, key)
    assert field.startswith(f'id="field-{key}"')
    assert f'<ul class="errorlist" data-parameter="{key}"><li>' in field
    assert f"<li>{key}: " not in field  # beside its field, an error needs no parameter name
    assert escape(fragment) in field
    assert response.text.count('data-parameter="') == 1  # only the parameter at fault is marked
    assert '<section class="results"' not in response.text
    assert "<details open>" in response.text  # the advanced fields are unfolded so the error shows
    assert client.get(CSV_URL, params).status_code == 400


# --- query counts -----------------------------------------------------------------------------------------

# What the search page asks the database for, whatever the number of rows (anonymous, no filter).
SEARCH_PAGE_QUERIES = [
    "COUNT(*) of the visible rows, for the paginator (more match than the first page reads ids of)",
    "the categories, for the category <select>",
    "the municipalities in use, for the municipality and serves <select>s",
    "the prefectures, for the prefecture <select>",
    "the regions, for the region <select>",
    "the features, for the feature checkboxes",
    "the page's ids in order (on the first page up to FIRST_PAGE_IDS + 1, to count them when fewer)",
    "the page's rows, by id, joined to their category, municipality, organization and latest vacancy",
    "prefetch: their fee lines",
    "prefetch: their opening hours",
    "prefetch: their features (送迎)",
    "the mean of every current rating (where the smoothed ratings start from)",
    "the page's ratings: each row's smoothed score and number of raters",
]
CSV_QUERIES = [
    "the rows (one chunk of up to 500), joined to their category, municipality, organization and vacancy",
    "prefetch: their fee lines",
    "prefetch: their opening hours",
    "prefetch: their features",
]
LOGGED_IN_QUERIES = ["the session", "the user", "the user's role groups (visible_to)"]


def add_rows(count, start):
    reporter = factories.UserFactory()
    categories = list(Category.objects.leaves().order_by("code")[:5])
    features = [Feature.objects.get(slug="transport")]
    for n in range(start, start + count):
        resource = factories.ResourceFactory(
            name=f"資源{n:02d}",
            primary_category=categories[n % len(categories)],
            fees=[{"kind": FeeKind.FIXED, "amount_yen": 300, "unit": FeeUnit.PER_DAY, "description": "食費"}],
            hours=[{"day_type": "weekday", "opens": time(9), "closes": time(16)}],
            features=features,
        )
        services.vacancy_report(resource=resource, by=reporter, places=1)
        services.resource_verify(resource=resource, by=reporter)


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        if url == CSV_URL:
            body = b"".join(response.streaming_content)
            assert body.count(b"\n") > 1
        assert response.status_code == 200
    return len(queries)


def test_the_search_page_and_the_csv_need_as_many_queries_for_25_rows_as_for_5(
    client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("directory.pagination.FIRST_PAGE_IDS", 10)
    add_rows(5, start=1)
    with django_assert_num_queries(len(SEARCH_PAGE_QUERIES) - 1):  # 5 ids, fewer than 10: no COUNT
        assert len(result_ids(client.get(SEARCH))) == 5
    with django_assert_num_queries(len(CSV_QUERIES)):
        assert len(csv_rows(client.get(CSV_URL))) == 5
    few = {url: count_queries(client, url, {"q": "資源"}) for url in (SEARCH, CSV_URL)}

    add_rows(20, start=6)
    with django_assert_num_queries(len(SEARCH_PAGE_QUERIES)):
        assert len(result_ids(client.get(SEARCH))) == 20
    with django_assert_num_queries(len(CSV_QUERIES)):
        assert len(csv_rows(client.get(CSV_URL))) == 25
    more = {url: count_queries(client, url, {"q": "資源"}) for url in (SEARCH, CSV_URL)}
    assert more == {SEARCH: few[SEARCH] + 1, CSV_URL: few[CSV_URL]}  # + the COUNT: 25 is more than 10

    add_rows(20, start=26)
    assert {url: count_queries(client, url, {"q": "資源"}) for url in (SEARCH, CSV_URL)} == more

    client.force_login(factories.planner())
    with django_assert_num_queries(len(LOGGED_IN_QUERIES) + len(SEARCH_PAGE_QUERIES)):
        assert len(result_ids(client.get(SEARCH, {"page": 3}))) == 5


# --- the form ---------------------------------------------------------------------------------------------


def test_the_untouched_form_submits_without_an_error(client):
    factories.ResourceFactory(name="ひまわり")
    blank = client.get(SEARCH)
    pairs = dict(FormSubmission(blank.text).pairs)
    assert {"q", "near_address", "radius_km", "age", "ordering", "open_on", "kind", "prefecture"} <= set(
        pairs
    )
    response = submit_form(client, blank)
    assert response.status_code == 200, re.findall(r'data-parameter="[a-z_]+"><li>[^<]*</li>', response.text)
    assert len(result_ids(response)) == 1


def test_the_form_keeps_what_was_asked_and_submits_it_again(client, described):
    fresh = described[0]
    params = {
        "q": "作業所",
        "near_address": "須坂市",
        "radius_km": "5",
        "free": "false",
        "has_vacancy": "true",
        "disability": ["physical"],
        "category": ["daily-life-care"],
        "ordering": "distance",
        "status": ["active", "not_accepting"],
    }
    first = client.get(SEARCH, params)
    assert first.status_code == 200
    assert result_ids(first) == [fresh.pk]
    assert 'name="q" value="作業所"' in first.text
    assert 'name="near_address" value="須坂市"' in first.text
    submitted = FormSubmission(first.text).pairs
    assert ("has_vacancy", "on") in submitted  # the ticked checkbox comes back as a browser sends it
    again = submit_form(client, first)
    assert again.status_code == 200
    assert result_ids(again) == [fresh.pk]


def applied_conditions(response):
    """The conditions listed above the results: {parameter: (text, query string of the link dropping it)}."""
    found = re.findall(
        r'<li data-parameter="([a-z_]+)">([^<]*) <a href="\?([^"]*)" aria-label="[^"]*">×</a></li>',
        response.text,
    )
    return {name: (text, query.replace("&amp;", "&")) for name, text, query in found}


def test_a_search_lists_its_conditions_above_the_results_each_with_a_link_that_drops_it(client, described):
    fresh = described[0]
    response = client.get(
        SEARCH,
        {
            "q": "作業所",
            "category": ["daily-life-care"],
            "near_address": "須坂市",
            "radius_km": "5",
            "disability": ["physical", "mental"],
            "has_vacancy": "on",
            "free": "false",
            "ordering": "distance",
            "page": "1",
        },
    )
    assert result_ids(response) == [fresh.pk]
    conditions = applied_conditions(response)
    assert {name: text for name, (text, _query) in conditions.items()} == {
        "q": "キーワード: 作業所",
        "category": "サービスの種類: 生活介護",
        "near_address": "この住所の近く: 須坂市",
        "radius_km": "半径（km）: 5",
        "disability": "障害の種別: 身体障害、精神障害",
        "free": "無料: いいえ",
        "has_vacancy": "空きあり",
    }

    dropped_vacancy = client.get(SEARCH + "?" + conditions["has_vacancy"][1])
    assert dropped_vacancy.status_code == 200
    assert "has_vacancy" not in applied_conditions(dropped_vacancy)
    assert set(applied_conditions(dropped_vacancy)) == set(conditions) - {"has_vacancy"}

    # Without a place, its radius and the nearest-first order go too, or the search would be refused.
    dropped_place = client.get(SEARCH + "?" + conditions["near_address"][1])
    assert dropped_place.status_code == 200
    assert set(applied_conditions(dropped_place)) == set(conditions) - {"near_address", "radius_km"}
    assert "ordering=" not in conditions["near_address"][1]
    assert "page=" not in conditions["q"][1]


def test_a_search_without_conditions_lists_none(client, described):
    assert 'class="applied-filters"' not in client.get(SEARCH).text


def test_the_place_selects_offer_only_municipalities_in_use_but_accept_any_code(client):
    nagano = factories.MunicipalityFactory(code="202011", name="長野市")
    factories.MunicipalityFactory(code="202070", name="須坂市")
    obuse = factories.MunicipalityFactory(code="205419", name="小布施町")
    factories.ResourceFactory(municipality=nagano).service_area.set([obuse])
    factories.ResourceFactory(municipality=nagano)
    page = client.get(SEARCH).text
    assert page.count('<option value="202011">長野市</option>') == 2  # 市区町村 and サービス提供地域
    assert '<option value="205419">小布施町</option>' in page  # served from 長野市
    assert "須坂市" not in page
    response = client.get(SEARCH, {"municipality": "202070"})
    assert response.status_code == 200
    assert result_ids(response) == []


def test_the_form_speaks_plain_japanese_with_grouped_choices(client):
    factories.ResourceFactory(name="ひまわり")
    page = client.get(SEARCH).text
    assert "<code>" not in page and "---------" not in page
    assert '<option value="" selected>指定しない</option>' in page
    assert ">フォーマル<" not in page and ">事業所・公的なサービス<" in page
    category = re.search(r'<select name="category"[^>]*>(.*?)</select>', page, re.S)
    assert "multiple" not in category.group(0).split(">")[0]  # one drop-down, not a 90-line list box
    groups = re.findall(r'<optgroup label="([^"]+)">', category.group(1))
    assert groups[:3] == ["障害福祉サービス", "地域生活支援事業", "医療・保健"]
    assert '<option value="welfare-services">障害福祉サービス（すべて）</option>' in category.group(1)
    assert '<option value="group-home">\u3000\u3000共同生活援助</option>' in category.group(1)


def test_a_url_naming_two_categories_shows_both_chosen_and_keeps_them(client, described):
    page = client.get(SEARCH, {"category": ["daily-life-care", "group-home"]})
    select = re.search(r'<select name="category"[^>]*>', page.text).group(0)
    assert "multiple" in select
    assert [value for name, value in FormSubmission(page.text).pairs if name == "category"] == [
        "daily-life-care",
        "group-home",
    ]


def test_a_card_says_what_a_family_asks_first_and_prints_with_a_qr_code_of_public_entries(client):
    public = factories.ResourceFactory(
        name="ワークセンターさくら",
        phone="026-000-0000",
        address="長野市大字鶴賀1",
        accepts_physical=True,
        hours=[{"day_type": "saturday", "opens": time(9), "closes": time(12), "text": ""}],
        features=[Feature.objects.get(slug="transport")],
    )
    hidden = factories.ResourceFactory(name="専門職向けの会", visibility=Visibility.PROFESSIONALS)
    client.force_login(factories.planner())
    cards = result_cards(client.get(SEARCH))
    card = cards[public.pk]
    assert '<dt>電話</dt><dd><a href="tel:026-000-0000">026-000-0000</a></dd>' in card
    assert "<dt>住所</dt><dd>長野市大字鶴賀1</dd>" in card
    assert "<dt>時間</dt><dd>土曜 09:00〜12:00</dd>" in card
    assert "<dt>対象</dt><dd>身体障害</dd>" in card
    assert "<dt>送迎</dt><dd>あり</dd>" in card
    assert '<div class="qr" aria-hidden="true"><svg' in card  # printed: a QR code of the public page
    assert '<div class="qr"' not in cards[hidden.pk]  # a family could not open it
