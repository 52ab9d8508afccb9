"""Free-text search (directory/search.py): normalisation, the search text kept in step with writes, and the
field's abbreviations on the demo catalogue.

The demo takes seconds to load, so `TestDemoAbbreviations` loads it once for the class inside a transaction
that is rolled back when the class is done (as tests/test_load_demo.py does); each test still runs in its
own savepoint. History is switched off while loading (search does not read it) and so is the Python-side
check of CHECK constraints (the database checks them): that brings the load from ~25 s to a few seconds on
PostgreSQL.
"""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import CheckConstraint, Q
from django.http import QueryDict

from directory import services
from directory.choices import ResourceStatus
from directory.filters import ResourceFilterSet
from directory.models import Category, Organization, Resource
from directory.search import normalize, query_terms
from directory.taxonomy import SYNONYMS
from tests import factories
from tests.helpers import shared_rows


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("ＡＢＣ工房", "abc工房"),
        ("ｸﾞﾙｰﾌﾟﾎｰﾑ", "グループホーム"),
        ("ぐるーぷほーむ", "グループホーム"),
        ("ＧＨ", "gh"),
        ("Ｂ型", "b型"),
        ("就労継続支援Ｂ型", "就労継続支援b型"),
        ("  ひまわり　　作業所 ", "ヒマワリ 作業所"),
        ("㈱ひまわり", "(株)ヒマワリ"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_folds_width_kana_and_case_and_spaces(text, normalised):
    assert normalize(text) == normalised


def test_query_terms_splits_on_any_space():
    assert query_terms("ＧＨ　須坂 ｼｮｰﾄ") == ["gh", "須坂", "ショート"]


def found(query, queryset=None):
    data = QueryDict(mutable=True)
    data["q"] = query
    data.setlist("status", ResourceStatus.values)  # every status: closed entries too
    search = ResourceFilterSet(data, queryset=queryset if queryset is not None else Resource.objects.all())
    assert search.is_valid(), search.errors
    pks = list(search.qs.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), "a row came back twice"
    return set(pks)


@pytest.mark.django_db
def test_the_search_text_follows_every_write():
    resource = factories.ResourceFactory(name="ひまわり作業所", organization=None, address="")
    assert found("ひまわり") == {resource.pk}
    services.resource_update(resource=resource, name="あおぞら作業所")
    assert found("ひまわり") == set()
    assert found("ひま") == set()
    assert found("あおぞら") == {resource.pk}
    assert found("あお") == {resource.pk}
    services.resource_update(resource=resource, categories=[Category.objects.get(slug="group-home")])
    assert found("グループホーム") == {resource.pk}
    assert found("GH") == {resource.pk}
    services.resource_update(resource=resource, categories=[])
    assert found("グループホーム") == set()
    assert found("GH") == set()
    resource.delete()
    assert found("あおぞら") == set()


def tagged(*slugs):
    """The resources filed under any of the categories, as primary or secondary category."""
    categories = Category.objects.filter(slug__in=slugs)
    assert categories.count() == len(slugs)
    return set(
        Resource.objects.filter(
            Q(primary_category__in=categories) | Q(categories__in=categories)
        ).values_list("pk", flat=True)
    )


class TestDemoAbbreviations:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def demo(cls, django_db_setup, django_db_blocker):
        with (
            shared_rows(django_db_blocker, DEBUG=True, SIMPLE_HISTORY_ENABLED=False),
            # full_clean() checks each CheckConstraint with a query of its own (half the load time on
            # PostgreSQL); the database enforces the same constraints on every insert anyway.
            mock.patch.object(CheckConstraint, "validate", return_value=None),
        ):
            call_command("load_demo", stdout=StringIO())
            yield

    pytestmark = pytest.mark.django_db

    @pytest.mark.parametrize("query", ["ＧＨ", "GH", "gh", "共同生活援助"])
    def test_group_home_in_any_spelling_finds_exactly_the_group_homes(self, query):
        expected = tagged("group-home")
        assert len(expected) >= 10
        assert found(query) == expected

    @pytest.mark.parametrize("query", ["ｸﾞﾙｰﾌﾟﾎｰﾑ", "ぐるーぷほーむ", "グループホーム"])
    def test_the_word_group_home_also_finds_the_dementia_group_homes_named_so(self, query):
        """認知症グループホーム (介護保険) carry the word in their names; GH is the 障害福祉 abbreviation."""
        expected = tagged("group-home", "ltc-dementia-group-living")
        assert expected > tagged("group-home")
        assert found(query) == expected

    @pytest.mark.parametrize(
        ("query", "slugs"),
        [
            ("Ｂ型", ["employment-b"]),
            ("b型", ["employment-b"]),
            ("A型", ["employment-a"]),
            ("ａ型", ["employment-a"]),
            ("放デイ", ["after-school-day"]),
            ("放課後デイ", ["after-school-day"]),
            # ショートステイ is the everyday name of 短期入所 in 障害福祉 and 介護保険 (療養 too)
            ("ショート", ["short-stay", "ltc-short-stay", "ltc-medical-short-stay"]),
            ("ｼｮｰﾄ", ["short-stay", "ltc-short-stay", "ltc-medical-short-stay"]),
            ("生介", ["daily-life-care"]),
            ("計画相談", ["plan-consultation"]),
            # 児発 is 児童発達支援, which 医療型児童発達支援 and 居宅訪問型児童発達支援 are kinds of
            ("児発", ["child-development", "medical-child-development", "home-visit-child-development"]),
        ],
    )
    def test_an_abbreviation_finds_exactly_the_resources_of_its_service_type(self, query, slugs):
        expected = tagged(*slugs)
        assert expected
        assert found(query) == expected

    def test_short_stay_in_any_word_finds_the_same_entries(self):
        """短期入所療養介護 (medical short stay, 介護保険) is a ショートステイ too."""
        expected = tagged("short-stay", "ltc-short-stay", "ltc-medical-short-stay")
        assert found("ショートステイ") == found("短期入所") == found("ｼｮｰﾄｽﾃｲ") == expected

    @pytest.mark.parametrize("group", SYNONYMS, ids=lambda group: group[0])
    def test_every_word_of_a_synonym_group_finds_the_same_entries(self, group):
        first = found(group[0])
        assert first, f"{group[0]} finds nothing in the demo"
        for word in group[1:]:
            assert found(word) == first, word

    def test_iko_finds_transition_to_employment_and_community_transition(self):
        employment = tagged("employment-transition")
        assert employment
        result = found("移行")
        assert employment <= result
        # 移行 is also in 地域移行 (地域相談支援（地域移行支援）): that is all it adds
        assert result == employment | tagged("community-transition")

    def test_a_multifunction_office_is_found_under_each_of_its_service_types(self):
        shared = Resource.objects.filter(categories__isnull=False).select_related("primary_category")
        assert shared.exists()
        for resource in shared:
            assert resource.pk in found(resource.primary_category.name)
            for category in resource.categories.all():
                assert resource.pk in found(category.name)

    def test_an_abbreviation_and_a_place_narrow_each_other(self):
        in_suzaka = set(Resource.objects.filter(municipality__name="須坂市").values_list("pk", flat=True))
        assert found("GH 須坂市") == tagged("group-home") & in_suzaka
        assert found("ＧＨ　須坂") == tagged("group-home") & in_suzaka


@pytest.mark.django_db
def test_rebuild_search_picks_up_an_organization_renamed_behind_the_service_layer():
    resource = factories.ResourceFactory()
    Organization.objects.filter(pk=resource.organization_id).update(name="社会福祉法人あたらしい名前会")
    found = ResourceFilterSet({"q": "あたらしい名前"}, queryset=Resource.objects.all())
    assert list(found.qs) == []
    call_command("rebuild_search", stdout=StringIO())
    found = ResourceFilterSet({"q": "あたらしい名前"}, queryset=Resource.objects.all())
    assert list(found.qs) == [resource]
