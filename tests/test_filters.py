"""The one ResourceFilterSet, tested NetBox style: a few rows from the factories, one parameter at a time,
asserting exactly which rows come back. Every declared parameter has its tests here (PARAMETERS_TESTED is
checked against the FilterSet and against the test names), and every parameter refuses a bad value with an
error keyed by its own name.

The rows of each test class are built once for the class inside a transaction that is rolled back when the
class is done (see `class_rows`); each test still runs in its own savepoint. This keeps the module fast on
PostgreSQL, where every write through the service layer costs a few queries more.
"""

import inspect
import math
import re
import sys
from datetime import time, timedelta
from urllib.parse import urlencode

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone

from directory import services
from directory.choices import FeeKind, FeeUnit, ResourceKind, ResourceStatus
from directory.filters import DEFAULT_RADIUS_KM, QuickSelect, QuickSelectMultiple, ResourceFilterSet
from directory.geo import EARTH_RADIUS_KM
from directory.models import Category, Feature, Region, Resource
from tests import factories
from tests.helpers import shared_rows

pytestmark = pytest.mark.django_db

PARAMETERS_TESTED = frozenset(
    {
        "q",
        "category",
        "kind",
        "municipality",
        "prefecture",
        "region",
        "serves",
        "near",
        "near_address",
        "radius_km",
        "disability",
        "support_level",
        "age",
        "free",
        "fee_max",
        "has_vacancy",
        "min_rating",
        "feature",
        "open_on",
        "verified_within_days",
        "status",
        "ordering",
    }
)

KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180  # on the sphere the distance query uses
ORIGIN = (36.0, 138.0)
SUZAKA = (36.6513, 138.307)


# --- helpers ----------------------------------------------------------------------------------------------


def filterset(params):
    """The FilterSet over every resource, for params given as a dict (lists for repeated parameters)."""
    return ResourceFilterSet(QueryDict(urlencode(params, doseq=True)), queryset=Resource.objects.all())


def rows(params):
    search = filterset(params)
    assert search.is_valid(), search.errors
    found = list(search.qs)
    assert len(found) == len({row.pk for row in found}), "a row came back twice"
    return found


def names(params):
    return {row.name for row in rows(params)}


def ordered_names(params):
    return [row.name for row in rows(params)]


def category(slug):
    return Category.objects.get(slug=slug)


def make(name, **fields):
    """A resource whose search text holds little beyond what the test gives it."""
    fields.setdefault("name_kana", "")
    fields.setdefault("address", "")
    fields.setdefault("organization", None)
    fields.setdefault("municipality", None)
    fields.setdefault("primary_category", category("volunteers"))  # its text: ボランティア, nothing else
    return factories.ResourceFactory(name=name, **fields)


def hours(*day_types):
    """Opening hours of 9:00～17:00 on each day type."""
    return [{"day_type": d, "opens": time(9), "closes": time(17), "text": "9:00～17:00"} for d in day_types]


def north_of(point, km):
    return point[0] + km / KM_PER_DEGREE_LATITUDE, point[1]


def east_of(point, km):
    """The point on the same latitude whose great-circle distance is km."""
    phi = math.radians(point[0])
    cos_dlon = (math.cos(km / EARTH_RADIUS_KM) - math.sin(phi) ** 2) / math.cos(phi) ** 2
    return point[0], point[1] + math.degrees(math.acos(cos_dlon))


def at(point):
    return {"latitude": point[0], "longitude": point[1]}


def test_every_declared_parameter_has_tests_in_this_module():
    assert set(ResourceFilterSet.base_filters) == PARAMETERS_TESTED
    module = sys.modules[__name__]
    tests = [name for name in dir(module) if name.startswith("test_")]
    for _name, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__name__.startswith("Test"):
            tests += [name for name in dir(cls) if name.startswith("test_")]
    untested = {p for p in PARAMETERS_TESTED if not any(t.startswith(f"test_{p}_") for t in tests)}
    assert not untested


# --- q ----------------------------------------------------------------------------------------------------


class TestQNormalisation:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            for name in [
                "ＡＢＣ工房",
                "ｸﾞﾘｰﾝﾊｳｽ",
                "ひまわりの家",
                "ヒマワリ荘",
                "Sunflower Cafe",
                "作業所２１",
                "あおぞら",
            ]:
                make(name)
            yield

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("abc", {"ＡＢＣ工房"}),  # full-width letters fold to ASCII, in the text and in the query
            ("ＡＢＣ工房", {"ＡＢＣ工房"}),
            ("ａｂｃ工房", {"ＡＢＣ工房"}),
            ("グリーンハウス", {"ｸﾞﾘｰﾝﾊｳｽ"}),  # half-width kana (with voiced marks) fold to full-width
            ("ぐりーんはうす", {"ｸﾞﾘｰﾝﾊｳｽ"}),  # hiragana finds katakana
            ("ｸﾞﾘｰﾝ", {"ｸﾞﾘｰﾝﾊｳｽ"}),
            ("ひまわり", {"ひまわりの家", "ヒマワリ荘"}),
            ("ヒマワリ", {"ひまわりの家", "ヒマワリ荘"}),
            ("ﾋﾏﾜﾘ", {"ひまわりの家", "ヒマワリ荘"}),
            ("ひまわり荘", {"ヒマワリ荘"}),
            ("ﾋﾏﾜﾘの家", {"ひまわりの家"}),
            ("SUNFLOWER", {"Sunflower Cafe"}),  # case
            ("sunflower", {"Sunflower Cafe"}),
            ("ｓｕｎｆｌｏｗｅｒ", {"Sunflower Cafe"}),
            ("Sunflower CAFE", {"Sunflower Cafe"}),
            ("21", {"作業所２１"}),  # full-width digits
            ("２１", {"作業所２１"}),
        ],
    )
    def test_q_normalises_width_kana_and_case_alike_in_text_and_query(self, query, expected):
        assert names({"q": query}) == expected


class TestQTerms:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            for name in ["ひまわり作業所", "ひまわり荘", "あおぞら作業所"]:
                make(name)
            yield

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            # 1-2 characters: a plain contains (a trigram index finds nothing this short)
            ("荘", {"ひまわり荘"}),
            ("作業", {"ひまわり作業所", "あおぞら作業所"}),
            ("ひま", {"ひまわり作業所", "ひまわり荘"}),
            ("ない", set()),
            # 3+ characters: FTS5 MATCH on SQLite, LIKE served by pg_trgm on PostgreSQL
            ("作業所", {"ひまわり作業所", "あおぞら作業所"}),
            ("ひまわり", {"ひまわり作業所", "ひまわり荘"}),
            ("わり作業", {"ひまわり作業所"}),
            ("みつからない", set()),
            # several words: every one must match
            ("ひまわり 作業所", {"ひまわり作業所"}),
            ("作業所　ひまわり", {"ひまわり作業所"}),  # a full-width space separates words too
            ("ひまわり あおぞら", set()),
            ("ひま 所", {"ひまわり作業所"}),  # a short and a long term together
            ("あおぞら 業", {"あおぞら作業所"}),
            ("ひまわり 荘", {"ひまわり荘"}),
            ("ひま わり 荘", {"ひまわり荘"}),
        ],
    )
    def test_q_keeps_rows_matching_every_term_short_or_long(self, query, expected):
        assert names({"q": query}) == expected


class TestQSyntax:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            for name in ["ひまわり", 'カフェ"ゆい"', "カフェゆい", "100%の家"]:
                make(name)
            yield

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ('""', set()),
            ('ひま"わり', set()),
            ('"ひまわり"', set()),
            ('ひまわり"', set()),
            ('"ひまわり" OR "あ"', set()),
            ("ひまわり*", set()),
            ("NEAR(ひまわり カフェ)", set()),
            ("ひまわり AND", set()),
            # a quote that is part of the name is found like any other character
            ('"', {'カフェ"ゆい"'}),
            ('"ゆ', {'カフェ"ゆい"'}),
            ('ゆい"', {'カフェ"ゆい"'}),
            ('"ゆい"', {'カフェ"ゆい"'}),
            ("ゆい", {'カフェ"ゆい"', "カフェゆい"}),
        ],
    )
    def test_q_with_quotes_or_fts_syntax_does_not_crash_and_matches_literally(self, query, expected):
        assert names({"q": query}) == expected

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("%", {"100%の家"}),
            ("0%", {"100%の家"}),
            ("100%", {"100%の家"}),
            ("_", set()),
            ("%%%", set()),
            ("___", set()),
            ("\\", set()),
        ],
    )
    def test_q_treats_like_wildcards_as_plain_characters(self, query, expected):
        assert names({"q": query}) == expected

    @pytest.mark.parametrize("query", ["", " ", "　 　"])
    def test_q_is_skipped_when_it_holds_only_spaces(self, query):
        assert names({"q": query}) == {"ひまわり", 'カフェ"ゆい"', "カフェゆい", "100%の家"}


class TestQFields:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("星の家", name_kana="ほしのいえ")
            make("住所で", address="長野県須坂市大字須坂１２３４")
            make("事業所番号で", office_number="2012345678")
            make(
                "法人で",
                organization=factories.OrganizationFactory(
                    name="社会福祉法人みどり会", name_kana="しゃかいふくしほうじんみどりかい"
                ),
            )
            make(
                "市町村で",
                municipality=factories.MunicipalityFactory(name="小布施町", name_kana="おぶせまち"),
            )
            make("GHで", primary_category=category("group-home"))
            make("放デイで", primary_category=category("after-school-day"))
            make("B型も", categories=[category("employment-b")])
            make("設備で", features=list(Feature.objects.filter(slug__in=["wheelchair", "transport"])))
            make("ほかの資源")
            yield

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("星の家", "星の家"),
            ("ホシノイエ", "星の家"),  # name_kana
            ("ほしの", "星の家"),
            ("大字須坂", "住所で"),  # address
            ("大字須坂1234", "住所で"),
            ("2012345678", "事業所番号で"),
            ("みどり会", "法人で"),  # organization name and kana
            ("ミドリカイ", "法人で"),
            ("小布施", "市町村で"),  # municipality name and kana
            ("おぶせ", "市町村で"),
            ("共同生活援助", "GHで"),  # category name, kana and aliases
            ("きょうどうせいかつ", "GHで"),
            ("グループホーム", "GHで"),
            ("GH", "GHで"),
            ("ｇｈ", "GHで"),
            ("放デイ", "放デイで"),
            ("放課後", "放デイで"),
            ("就労継続支援B型", "B型も"),  # a secondary category
            ("Ｂ型", "B型も"),
            ("車椅子", "設備で"),  # feature names
            ("送迎", "設備で"),
        ],
    )
    def test_q_searches_names_kana_address_organization_categories_aliases_and_features(
        self, query, expected
    ):
        assert names({"q": query}) == {expected}


# --- category, kind ---------------------------------------------------------------------------------------


class TestCategoryAndKind:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("GH", primary_category=category("group-home"))
            make("B型", primary_category=category("employment-b"))
            make(
                "生介とB型",
                primary_category=category("daily-life-care"),
                categories=[category("employment-b")],
            )
            make("生介", primary_category=category("daily-life-care"))
            make("サロン", primary_category=category("salon"), kind=ResourceKind.INFORMAL)
            yield

    @pytest.mark.parametrize(
        ("slugs", "expected"),
        [
            (["group-home"], {"GH"}),
            (["employment-b"], {"B型", "生介とB型"}),  # the secondary categories count too
            (["group-home", "salon"], {"GH", "サロン"}),  # repeated: any of them
            (["training-benefits"], {"GH", "B型", "生介とB型"}),  # a parent takes in its subcategories
            (["care-benefits"], {"生介", "生介とB型"}),
            (["welfare-services"], {"GH", "B型", "生介とB型", "生介"}),  # two levels down
            (["training-benefits", "employment-b", "daily-life-care"], {"GH", "B型", "生介とB型", "生介"}),
            (["informal"], {"サロン"}),
            (["hello-work"], set()),
        ],
    )
    def test_category_takes_slugs_subcategories_and_secondary_categories(self, slugs, expected):
        assert names({"category": slugs}) == expected

    @pytest.mark.parametrize(
        ("kind", "expected"), [("formal", {"GH", "B型", "生介とB型", "生介"}), ("informal", {"サロン"})]
    )
    def test_kind_keeps_formal_or_informal_resources(self, kind, expected):
        assert names({"kind": kind}) == expected


# --- municipality, prefecture, region, serves -------------------------------------------------------------


class TestPlaces:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            nagano = factories.PrefectureFactory()
            niigata = factories.PrefectureFactory(code="15", name="新潟県", name_kana="にいがたけん")
            suzaka = factories.MunicipalityFactory(prefecture=nagano, code="202070", name="須坂市")
            obuse = factories.MunicipalityFactory(prefecture=nagano, code="205419", name="小布施町")
            sakae = factories.MunicipalityFactory(prefecture=nagano, code="206024", name="栄村")
            tsunan = factories.MunicipalityFactory(prefecture=niigata, code="154822", name="津南町")
            region = Region.objects.create(slug="suko", name="須高圏域")
            region.municipalities.set([suzaka, obuse])
            make("須坂の作業所", municipality=suzaka)
            make("小布施の家", municipality=obuse)
            make("栄村の家", municipality=sakae, service_area=[tsunan])
            make("津南の家", municipality=tsunan, service_area=[sakae, suzaka])
            make("須坂と小布施に訪問", municipality=suzaka, service_area=[suzaka, obuse])
            make("所在地なし")
            yield

    @pytest.mark.parametrize(
        ("codes", "expected"),
        [
            (["202070"], {"須坂の作業所", "須坂と小布施に訪問"}),
            (["202070", "206024"], {"須坂の作業所", "須坂と小布施に訪問", "栄村の家"}),  # repeated: any
            (["154822"], {"津南の家"}),
        ],
    )
    def test_municipality_keeps_resources_standing_in_any_of_the_codes(self, codes, expected):
        assert names({"municipality": codes}) == expected

    def test_prefecture_keeps_resources_standing_in_its_municipalities(self):
        assert names({"prefecture": "15"}) == {"津南の家"}
        assert names({"prefecture": "20"}) == {"須坂の作業所", "小布施の家", "栄村の家", "須坂と小布施に訪問"}

    def test_region_keeps_resources_standing_in_its_municipalities(self):
        assert names({"region": "suko"}) == {"須坂の作業所", "小布施の家", "須坂と小布施に訪問"}

    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            # standing there, or listing it in service_area; once even when both
            ("202070", {"須坂の作業所", "須坂と小布施に訪問", "津南の家"}),
            ("205419", {"小布施の家", "須坂と小布施に訪問"}),
            ("206024", {"栄村の家", "津南の家"}),
            ("154822", {"津南の家", "栄村の家"}),
        ],
    )
    def test_serves_keeps_resources_standing_in_or_serving_the_municipality(self, code, expected):
        assert names({"serves": code}) == expected  # rows() fails on a duplicate


# --- near, radius_km, near_address ------------------------------------------------------------------------


class TestNear:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("0km", **at(ORIGIN))
            make("5km", **at(north_of(ORIGIN, 5)))
            make("9.9km", **at(north_of(ORIGIN, 9.9)))  # just inside the default 10 km
            make("10.1km", **at(north_of(ORIGIN, 10.1)))  # just outside
            make("15km東", **at(east_of(ORIGIN, 15)))
            make("遠く", **at(north_of(ORIGIN, 150)))
            make("座標なし", latitude=None, longitude=None)
            yield

    def test_near_keeps_rows_within_the_default_radius_nearest_first_with_their_distance(self):
        assert DEFAULT_RADIUS_KM == 10
        found = rows({"near": "36.0,138.0"})
        assert [row.name for row in found] == ["0km", "5km", "9.9km"]
        assert [row.distance_km for row in found] == [
            pytest.approx(0, abs=1e-6),
            pytest.approx(5, abs=1e-3),
            pytest.approx(9.9, abs=1e-3),
        ]

    def test_near_takes_spaces_and_negative_coordinates(self):
        assert ordered_names({"near": " 36.0 , 138.0 "}) == ["0km", "5km", "9.9km"]
        assert ordered_names({"near": "-36.0,-138.0"}) == []

    @pytest.mark.parametrize(
        ("radius", "expected"),
        [
            ("0.2", ["0km"]),
            ("5.01", ["0km", "5km"]),
            ("10", ["0km", "5km", "9.9km"]),
            ("10.2", ["0km", "5km", "9.9km", "10.1km"]),
            ("16", ["0km", "5km", "9.9km", "10.1km", "15km東"]),
            ("100", ["0km", "5km", "9.9km", "10.1km", "15km東"]),  # never a row without a point
        ],
    )
    def test_radius_km_widens_or_narrows_the_circle(self, radius, expected):
        assert ordered_names({"near": "36.0,138.0", "radius_km": radius}) == expected

    def test_radius_km_accepts_its_own_minimum_of_0_1(self):
        assert ordered_names({"near": "36.0,138.0", "radius_km": "0.1"}) == ["0km"]


@pytest.mark.parametrize("direction", ["north", "south", "east", "west"])
def test_near_keeps_a_row_just_inside_the_radius_in_every_direction(direction):
    km = 9.995
    east = east_of(ORIGIN, km)
    point = {
        "north": north_of(ORIGIN, km),
        "south": north_of(ORIGIN, -km),
        "east": east,
        "west": (ORIGIN[0], 2 * ORIGIN[1] - east[1]),
    }[direction]
    make("端", **at(point))
    found = rows({"near": "36.0,138.0"})
    assert [(row.name, round(row.distance_km, 3)) for row in found] == [("端", km)]


class TestNearAddress:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            nagano = factories.PrefectureFactory()
            factories.MunicipalityFactory(
                prefecture=nagano, code="202070", name="須坂市", latitude=SUZAKA[0], longitude=SUZAKA[1]
            )
            factories.MunicipalityFactory(
                prefecture=nagano, code="202011", name="長野市", latitude=36.6486, longitude=138.1944
            )
            make("須坂の近く", **at(north_of(SUZAKA, 2)))
            make("県庁の近く", **at(north_of((nagano.latitude, nagano.longitude), 1)))
            make("遠く", **at(north_of(SUZAKA, 60)))
            yield

    @pytest.mark.parametrize(
        "address",
        ["長野県須坂市", "須坂市", "202070", "２０２０７０", "長野県 須坂市", "長野県須坂市大字須坂1234"],
    )
    def test_near_address_geocodes_a_municipality_offline(self, address):
        search = filterset({"near_address": address})
        assert search.is_valid(), search.errors
        found = list(search.qs)
        assert [row.name for row in found] == ["須坂の近く"]
        assert found[0].distance_km == pytest.approx(2, abs=1e-3)
        assert search.form.near_place == "長野県須坂市"

    def test_near_address_takes_a_prefecture_name_or_code_and_radius_km(self):
        assert ordered_names({"near_address": "20"}) == ["県庁の近く"]
        assert ordered_names({"near_address": "長野県", "radius_km": "20"}) == ["県庁の近く", "須坂の近く"]
        assert ordered_names({"near_address": "須坂市", "radius_km": "70"}) == [
            "須坂の近く",
            "県庁の近く",
            "遠く",
        ]


# --- who the resource is for: disability, support_level, age ----------------------------------------------


class TestDisability:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("身体", accepts_physical=True)
            make("身体と知的", accepts_physical=True, accepts_intellectual=True)
            make("精神", accepts_mental=True)
            make("障害児", accepts_child=True, accepts_developmental=True)
            make("だれでも")  # names no group: admits all
            yield

    @pytest.mark.parametrize(
        ("groups", "expected"),
        [
            (["physical"], {"身体", "身体と知的", "だれでも"}),
            (["intellectual"], {"身体と知的", "だれでも"}),
            (["physical", "intellectual"], {"身体と知的", "だれでも"}),  # repeated: must admit every group
            (["mental", "physical"], {"だれでも"}),
            (["child", "developmental"], {"障害児", "だれでも"}),
            (["intractable"], {"だれでも"}),
        ],
    )
    def test_disability_keeps_resources_admitting_every_group_or_naming_none(self, groups, expected):
        assert names({"disability": groups}) == expected


class TestSupportLevel:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("区分なし")
            make("区分3以上", min_support_level=3)
            make("区分6", min_support_level=6)
            yield

    @pytest.mark.parametrize(
        ("level", "expected"),
        [
            ("1", {"区分なし"}),
            ("2", {"区分なし"}),
            ("3", {"区分なし", "区分3以上"}),
            ("5", {"区分なし", "区分3以上"}),
            ("6", {"区分なし", "区分3以上", "区分6"}),
        ],
    )
    def test_support_level_keeps_resources_whose_minimum_the_person_reaches(self, level, expected):
        assert names({"support_level": level}) == expected


class TestAge:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("6〜18歳", min_age=6, max_age=18)
            make("18歳から", min_age=18)
            make("年齢制限なし")
            make("64歳まで", max_age=64)
            yield

    @pytest.mark.parametrize(
        ("age", "expected"),
        [
            ("0", {"年齢制限なし", "64歳まで"}),
            ("5", {"年齢制限なし", "64歳まで"}),
            ("6", {"6〜18歳", "年齢制限なし", "64歳まで"}),  # bounds are inclusive
            ("18", {"6〜18歳", "18歳から", "年齢制限なし", "64歳まで"}),
            ("19", {"18歳から", "年齢制限なし", "64歳まで"}),
            ("64", {"18歳から", "年齢制限なし", "64歳まで"}),
            ("65", {"18歳から", "年齢制限なし"}),
            ("120", {"18歳から", "年齢制限なし"}),
        ],
    )
    def test_age_keeps_resources_whose_bounds_include_it(self, age, expected):
        assert names({"age": age}) == expected


# --- cost: free, fee_max ----------------------------------------------------------------------------------


class TestFees:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("無料", fees=[{"kind": FeeKind.FREE}])
            make("1割負担のみ", fees=[{"kind": FeeKind.PUBLIC_10_PERCENT}])
            make(
                "1割と食費",
                fees=[
                    {"kind": FeeKind.PUBLIC_10_PERCENT},
                    {
                        "kind": FeeKind.FIXED,
                        "amount_yen": 300,
                        "unit": FeeUnit.PER_DAY,
                        "description": "食費",
                    },
                ],
            )
            make("参加費", fees=[{"kind": FeeKind.FIXED, "amount_yen": 300, "unit": FeeUnit.PER_USE}])
            make("家賃", fees=[{"kind": FeeKind.FIXED, "amount_yen": 30000, "unit": FeeUnit.PER_MONTH}])
            make("実費（金額不明）", fees=[{"kind": FeeKind.ACTUAL, "description": "材料費"}])
            yield

    def test_the_monthly_fee_is_what_the_service_layer_computed(self):
        assert dict(Resource.objects.values_list("name", "monthly_fee_yen")) == {
            "無料": 0,
            "1割負担のみ": 0,
            "1割と食費": 6600,
            "参加費": 6600,
            "家賃": 30000,
            "実費（金額不明）": None,
        }

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("true", {"無料"}),  # the 1割 share is a payment even though its amount depends on income
            ("1", {"無料"}),
            ("on", {"無料"}),
            ("TRUE", {"無料"}),
            ("false", {"1割負担のみ", "1割と食費", "参加費", "家賃", "実費（金額不明）"}),
            ("0", {"1割負担のみ", "1割と食費", "参加費", "家賃", "実費（金額不明）"}),
            ("", {"無料", "1割負担のみ", "1割と食費", "参加費", "家賃", "実費（金額不明）"}),
        ],
    )
    def test_free_keeps_resources_costing_nothing_or_the_others(self, value, expected):
        assert names({"free": value}) == expected

    @pytest.mark.parametrize(
        ("limit", "expected"),
        [
            ("0", {"無料", "1割負担のみ"}),
            ("6599", {"無料", "1割負担のみ"}),
            ("6600", {"無料", "1割負担のみ", "1割と食費", "参加費"}),  # inclusive
            ("30000", {"無料", "1割負担のみ", "1割と食費", "参加費", "家賃"}),
            ("10000000", {"無料", "1割負担のみ", "1割と食費", "参加費", "家賃"}),  # unknown never qualifies
        ],
    )
    def test_fee_max_keeps_resources_whose_known_monthly_fee_is_at_most_it(self, limit, expected):
        assert names({"fee_max": limit}) == expected


# --- has_vacancy, feature, open_on, verified_within_days --------------------------------------------------


class TestHasVacancy:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            reporter = factories.UserFactory()
            fresh = settings.VACANCY_FRESH_DAYS

            def report(resource, places, days_ago):
                as_of = timezone.now() - timedelta(days=days_ago)
                factories.VacancyFactory(resource=resource, places=places, as_of=as_of, reported_by=reporter)

            report(make("空きあり"), 3, days_ago=1)
            report(make("空きあり・期限間近"), 1, days_ago=fresh - 1)
            report(make("古い空き"), 2, days_ago=fresh + 1)  # had places, but too long ago to trust
            filled = make("空きが埋まった")
            report(filled, 5, days_ago=10)
            report(filled, 0, days_ago=1)  # the newer report of 0 overrides the older positive one
            reopened = make("また空いた")
            report(reopened, 0, days_ago=fresh + 10)
            report(reopened, 2, days_ago=2)
            late = make("古い報告が後から届いた")
            report(late, 2, days_ago=1)
            report(late, 0, days_ago=5)  # filed later but older: the latest stays the one with places
            make("報告なし")
            yield

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("true", {"空きあり", "空きあり・期限間近", "また空いた", "古い報告が後から届いた"}),
            ("false", {"古い空き", "空きが埋まった", "報告なし"}),  # the complement
        ],
    )
    def test_has_vacancy_trusts_only_the_latest_fresh_report(self, value, expected):
        assert names({"has_vacancy": value}) == expected

    def test_has_vacancy_follows_the_freshness_setting(self, settings):
        settings.VACANCY_FRESH_DAYS = 1.5
        assert names({"has_vacancy": "true"}) == {"空きあり", "古い報告が後から届いた"}


def test_has_vacancy_leaves_out_offices_that_are_not_taking_people():
    reporter = factories.UserFactory()
    for name, status in [
        ("受付中", ResourceStatus.ACTIVE),
        ("受付停止", ResourceStatus.NOT_ACCEPTING),
        ("休止", ResourceStatus.SUSPENDED),
    ]:
        factories.VacancyFactory(resource=make(name, status=status), places=3, reported_by=reporter)
    assert names({"has_vacancy": "true"}) == {"受付中"}
    assert names({"has_vacancy": "false"}) == {"受付停止", "休止"}


# --- min_rating and ordering=-rating ------------------------------------------------------------------


def filtered_as(user, params):
    request = RequestFactory().get("/", params)
    request.user = user
    search = ResourceFilterSet(request.GET, queryset=Resource.objects.all(), request=request)
    assert search.is_valid(), search.errors
    return [row.name for row in search.qs]


class TestMinRating:
    """Three planners rated 高評価 (5s) and 低評価 (2s); one rated 一人だけ (5s). Professionals see every
    aggregate; the public (and a FilterSet without a request) only those of 3 raters or more."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            raters = [factories.planner() for _ in range(3)]
            high, low, single = make("高評価"), make("低評価"), make("一人だけ")
            make("評価なし")
            for rater in raters:
                services.rating_save(resource=high, by=rater, procedure=5, expertise=5)
                services.rating_save(resource=low, by=rater, procedure=2, expertise=2)
            services.rating_save(resource=single, by=raters[0], procedure=5)
            cls.professional = raters[0]
            yield

    def test_min_rating_keeps_the_smoothed_ratings_at_or_above_it_for_professionals(self):
        # Toward the category mean (3.71): 一人だけ one 5 → 4.04, 高評価 three 5s → 4.36, 低評価 2.86.
        assert set(filtered_as(self.professional, {"min_rating": "4"})) == {"高評価", "一人だけ"}
        assert set(filtered_as(self.professional, {"min_rating": "4.3"})) == {"高評価"}
        assert set(filtered_as(self.professional, {"min_rating": "1"})) == {"高評価", "低評価", "一人だけ"}

    def test_min_rating_counts_for_the_public_only_where_three_professionals_rated(self):
        assert set(filtered_as(AnonymousUser(), {"min_rating": "4"})) == {"高評価"}
        assert names({"min_rating": "1"}) == {"高評価", "低評価"}  # no request: the public's view

    def test_ordering_by_rating_puts_the_best_first_and_the_unrated_last(self):
        everyone = ["高評価", "一人だけ", "低評価", "評価なし"]
        assert filtered_as(self.professional, {"ordering": "-rating"}) == everyone
        # The public cannot tell 一人だけ's hidden rating from no rating at all: it sorts with the unrated.
        public = filtered_as(AnonymousUser(), {"ordering": "-rating"})
        assert public[:2] == ["高評価", "低評価"]
        assert set(public[2:]) == {"一人だけ", "評価なし"}

    def test_the_single_rating_does_not_top_the_list_however_high(self):
        assert filtered_as(self.professional, {"ordering": "-rating"})[0] == "高評価"

    @pytest.mark.parametrize("value", ["0", "5.5", "good"])
    def test_min_rating_refuses_a_value_outside_1_to_5(self, value):
        search = filterset({"min_rating": value})
        assert not search.is_valid()
        assert "min_rating" in search.errors


class TestFeature:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            transport, bathing = Feature.objects.get(slug="transport"), Feature.objects.get(slug="bathing")
            make("送迎と入浴", features=[transport, bathing])
            make("送迎", features=[transport])
            make("なし")
            yield

    @pytest.mark.parametrize(
        ("slugs", "expected"),
        [
            (["transport"], {"送迎と入浴", "送迎"}),
            (["bathing"], {"送迎と入浴"}),
            (["transport", "bathing"], {"送迎と入浴"}),  # repeated: all must hold
            (["transport", "wheelchair"], set()),
        ],
    )
    def test_feature_keeps_resources_having_every_feature(self, slugs, expected):
        assert names({"feature": slugs}) == expected


class TestOpenOn:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("平日", hours=hours("weekday"))
            make("平日と土曜", hours=hours("weekday", "saturday"))
            make("日曜", hours=hours("sunday"))
            make("祝日", hours=hours("holiday"))
            make("時間の登録なし")
            yield

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            ("mon", {"平日", "平日と土曜"}),
            ("tue", {"平日", "平日と土曜"}),
            ("fri", {"平日", "平日と土曜"}),
            ("sat", {"平日と土曜"}),
            ("sun", {"日曜"}),
            ("holiday", {"祝日"}),
        ],
    )
    def test_open_on_keeps_resources_with_hours_on_that_day_type(self, day, expected):
        assert names({"open_on": day}) == expected


class TestQDayWords:
    """A day word among the keywords (「放デイ 土曜」) finds entries open that day, or saying it."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("あおば", hours=hours("weekday", "saturday"))
            make("いずみ", hours=hours("sunday"))
            make("うみ", hours=hours("weekday"))
            make("えがお（土日も相談可）")
            make("おか", hours=hours("holiday"))
            yield

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("土曜", {"あおば"}),
            ("どようび", {"あおば"}),
            ("日曜日", {"いずみ"}),
            ("土日", {"あおば", "いずみ", "えがお（土日も相談可）"}),
            ("土日祝", {"あおば", "いずみ", "おか"}),
            ("平日", {"あおば", "うみ"}),
            ("あおば 土曜", {"あおば"}),
            ("うみ 土曜", set()),
        ],
    )
    def test_q_day_words_act_as_open_on(self, query, expected):
        assert names({"q": query}) == expected


class TestVerifiedWithinDays:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            checker = factories.UserFactory()
            for name, age in [("10日前", 10), ("100日前", 100), ("3年前", 3 * 365)]:
                services.resource_verify(
                    resource=make(name), by=checker, at=timezone.now() - timedelta(days=age)
                )
            make("未確認")
            yield

    @pytest.mark.parametrize(
        ("days", "expected"),
        [
            ("1", set()),
            ("11", {"10日前"}),
            ("101", {"10日前", "100日前"}),
            ("36500", {"10日前", "100日前", "3年前"}),  # never verified never qualifies
        ],
    )
    def test_verified_within_days_keeps_recently_confirmed_resources(self, days, expected):
        assert names({"verified_within_days": days}) == expected


# --- status, ordering -------------------------------------------------------------------------------------


class TestStatus:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            make("受付中", status=ResourceStatus.ACTIVE)
            make("受付停止", status=ResourceStatus.NOT_ACCEPTING)
            make("休止中", status=ResourceStatus.SUSPENDED)
            make("廃止", status=ResourceStatus.CLOSED)
            yield

    @pytest.mark.parametrize(
        ("statuses", "expected"),
        [
            ([], {"受付中", "受付停止", "休止中"}),  # closed left out by default
            (["closed"], {"廃止"}),
            (["active", "closed"], {"受付中", "廃止"}),
            (["not_accepting", "suspended"], {"受付停止", "休止中"}),
        ],
    )
    def test_status_leaves_closed_resources_out_unless_asked(self, statuses, expected):
        assert names({"status": statuses}) == expected


class TestOrdering:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            checker = factories.UserFactory()
            now = timezone.now()
            # name (= kana), capacity, verified days ago, updated days ago, km north of ORIGIN
            for name, capacity, verified, updated, km in [
                ("さくら", 10, 30, 3, 4),
                ("あおい", None, None, 1, 8),
                ("かえで", 30, 2, 5, 1),
                ("たんぽぽ", 20, 400, 2, 2),
            ]:
                resource = make(name, name_kana=name, capacity=capacity, **at(north_of(ORIGIN, km)))
                if verified is not None:
                    services.resource_verify(resource=resource, by=checker, at=now - timedelta(days=verified))
                Resource.objects.filter(pk=resource.pk).update(updated_at=now - timedelta(days=updated))
            yield

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({}, ["あおい", "かえで", "さくら", "たんぽぽ"]),  # name_kana without a point
            ({"ordering": "name_kana"}, ["あおい", "かえで", "さくら", "たんぽぽ"]),
            ({"near": "36.0,138.0"}, ["かえで", "たんぽぽ", "さくら", "あおい"]),  # distance with a point
            ({"near": "36.0,138.0", "ordering": "distance"}, ["かえで", "たんぽぽ", "さくら", "あおい"]),
            ({"near": "36.0,138.0", "ordering": "name_kana"}, ["あおい", "かえで", "さくら", "たんぽぽ"]),
            ({"ordering": "-verified_at"}, ["かえで", "さくら", "たんぽぽ", "あおい"]),  # never verified last
            ({"ordering": "-capacity"}, ["かえで", "たんぽぽ", "さくら", "あおい"]),  # no capacity last
            ({"ordering": "-updated_at"}, ["あおい", "たんぽぽ", "さくら", "かえで"]),
        ],
    )
    def test_ordering_sorts_by_each_allowed_key(self, params, expected):
        assert ordered_names(params) == expected


@pytest.mark.django_db
def test_reading_order_reads_hiragana_katakana_and_half_width_readings_as_one():
    """WAM NET writes readings in hiragana, the 介護 open data in katakana (some half-width), people either:
    よみがな順 follows the 五十音 across them, and an entry without a reading sorts by its name."""
    make("ワークセンター", name_kana="ﾜｰｸｾﾝﾀｰ")
    make("さくら作業所", name_kana="サクラサギョウショ")
    make("あおぞらの家", name_kana="あおぞらのいえ")
    make("ホームかえで")  # no reading
    make("きずな", name_kana="キズナ")
    resource = make("たんぽぽ", name_kana="たんぽぽ")
    assert ordered_names({"ordering": "name_kana"}) == [
        "あおぞらの家", "きずな", "さくら作業所", "たんぽぽ", "ホームかえで", "ワークセンター",
    ]  # fmt: skip
    services.resource_update(resource=resource, name_kana="ンー")  # an edit moves it
    assert ordered_names({})[-1] == "たんぽぽ"


# --- bad values -------------------------------------------------------------------------------------------


class TestBadValues:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def data(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            factories.MunicipalityFactory(code="202070", name="須坂市")
            yield

    @pytest.mark.parametrize(
        ("params", "key", "fragments"),
        [
            ({"radius_km": "-1"}, "radius_km", ["0.1", "100", "km"]),
            ({"radius_km": "10000"}, "radius_km", ["0.1", "100", "km"]),
            ({"radius_km": "0"}, "radius_km", ["0.1", "100"]),
            ({"radius_km": "nan"}, "radius_km", ["0.1", "100"]),
            ({"radius_km": "十"}, "radius_km", ["0.1", "100"]),
            ({"near": "abc"}, "near", ["緯度,経度", "36.6486,138.1944"]),
            ({"near": "36.6"}, "near", ["緯度,経度"]),
            ({"near": "36.6,138.2,5"}, "near", ["緯度,経度"]),
            ({"near": "95,10"}, "near", ["-90〜90"]),
            ({"near": "36,190"}, "near", ["-180〜180"]),
            ({"near": "nan,nan"}, "near", ["-90〜90"]),
            ({"near_address": "どこにもない町"}, "near_address", ["どこにもない町", "わかりません"]),
            ({"near_address": "999999"}, "near_address", ["999999", "わかりません"]),
            ({"near_address": "100%の町"}, "near_address", ["「100%の町」", "わかりません"]),
            ({"near": "36.6,138.2", "near_address": "須坂市"}, "near_address", ["near", "どちらか一方"]),
            ({"ordering": "distance"}, "ordering", ["near", "near_address"]),
            ({"ordering": "nonsense"}, "ordering", ["nonsense", "distance", "name_kana", "-verified_at"]),
            ({"support_level": "9"}, "support_level", ["1以上6以下"]),
            ({"support_level": "0"}, "support_level", ["1以上6以下"]),
            ({"support_level": "三"}, "support_level", ["1以上6以下"]),
            ({"age": "-3"}, "age", ["0以上120以下"]),
            ({"age": "121"}, "age", ["0以上120以下"]),
            ({"age": "6.5"}, "age", ["0以上120以下"]),
            ({"fee_max": "-1"}, "fee_max", ["0以上", "円"]),
            ({"verified_within_days": "0"}, "verified_within_days", ["1以上36500以下", "日"]),
            ({"municipality": "12"}, "municipality", ["12", "6桁", "202011"]),
            ({"municipality": ["202070", "12"]}, "municipality", ["12", "6桁"]),
            ({"serves": "12"}, "serves", ["12", "6桁"]),
            ({"prefecture": "99"}, "prefecture", ["2桁"]),
            ({"region": "nowhere"}, "region", ["圏域"]),
            ({"category": "nope"}, "category", ["nope", "slug"]),
            ({"category": ["group-home", "nope"]}, "category", ["nope"]),
            ({"feature": "wings"}, "feature", ["wings"]),
            ({"kind": "other"}, "kind", ["other", "formal", "informal"]),
            ({"status": "gone"}, "status", ["gone", "active", "closed"]),
            ({"free": "maybe"}, "free", ["true", "false"]),
            ({"has_vacancy": "perhaps"}, "has_vacancy", ["true", "false"]),
            ({"open_on": "someday"}, "open_on", ["someday", "mon", "sat", "holiday"]),
            ({"disability": "other"}, "disability", ["other", "physical", "child"]),
            ({"disability": ["physical", "other"]}, "disability", ["other"]),
            ({"q": "あ" * 201}, "q", ["200"]),
        ],
        ids=lambda value: (
            "&".join(f"{k}={v}" for k, v in value.items())[:40] if isinstance(value, dict) else None
        ),
    )
    def test_bad_values_make_the_filterset_invalid_with_an_error_keyed_by_the_parameter(
        self, params, key, fragments
    ):
        search = filterset(params)
        assert not search.is_valid()
        assert set(search.errors) == {key}
        message = " ".join(search.errors[key])
        for fragment in fragments:
            assert fragment in message


def test_two_searches_made_together_keep_their_own_parameters_and_errors():
    """Each FilterSet gets its own copies of the shared filters (directory.filters.SharedFilters)."""
    make("ひまわり作業所", capacity=10)
    make("あおぞら作業所", capacity=40)
    first = filterset({"q": "ひまわり", "ordering": "-capacity"})
    second = filterset({"q": "作業所", "ordering": "-capacity"})
    broken = filterset({"q": "作業所", "support_level": 9})
    assert [row.name for row in second.qs] == ["あおぞら作業所", "ひまわり作業所"]
    assert [row.name for row in first.qs] == ["ひまわり作業所"]
    assert (broken.is_valid(), first.is_valid(), list(broken.errors)) == (False, True, ["support_level"])
    assert first.filters["q"] is not second.filters["q"] is not ResourceFilterSet.base_filters["q"]
    assert first.form.fields["q"] is not second.form.fields["q"]


@pytest.mark.parametrize(
    ("quick", "django_widget", "value"),
    [(QuickSelect, forms.Select, "c"), (QuickSelectMultiple, forms.SelectMultiple, ["a&b", "z"])],
)
def test_the_quick_selects_write_what_djangos_own_select_writes(quick, django_widget, value):
    """The search form's long lists (municipalities) are written in Python: the same HTML, texts escaped."""
    choices = [("", "---"), ("<group>", [("a&b", "<script>"), ("c", "d")]), ("z", '"q"')]

    def written(widget):
        html = widget(choices=choices, attrs={"class": "k"}).render("n", value, {"id": "id_n"})
        return re.sub(r">\s+<", "><", html.replace("\n", "").replace(" >", ">")).strip()

    assert written(quick) == written(django_widget)
    assert "&lt;script&gt;" in written(quick) and "<script>" not in written(quick)
