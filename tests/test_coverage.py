"""地域診断: a coordinator sees, for a region, how many offices of each service type run in each
municipality, which types the region lacks altogether, and how many plan lines found no provider — counts
only, a few shown as 「3未満」."""

import csv
import io
import re

import pytest

from directory.choices import ResourceStatus, Visibility
from directory.models import Category, Region
from tests import factories

pytestmark = pytest.mark.django_db
COVERAGE = "/coordinator/coverage/"


@pytest.fixture
def hokushin():
    nagano = factories.MunicipalityFactory(code="202011", name="長野市")
    suzaka = factories.MunicipalityFactory(code="202070", name="須坂市")
    region = Region.objects.create(slug="hokushin", name="北信圏域")
    region.municipalities.set([nagano, suzaka])
    return region, nagano, suzaka


def cell(page, category, town):
    row = re.search(rf'<tr data-category="{category}".*?</tr>', page, re.S)[0]
    return re.sub(r"<[^>]+>", "", re.search(rf'<td data-municipality="{town}"[^>]*>(.*?)</td>', row, re.S)[1])


def unmet(page, category):
    row = re.search(rf'<tr data-category="{category}".*?</tr>', page, re.S)[0]
    return re.search(r'<td class="unmet">(.*?)</td>', row)[1]


def test_a_coordinator_sees_where_each_service_is_missing_and_the_needs_no_one_met(client, hokushin):
    _region, nagano, suzaka = hokushin
    work = Category.objects.get(slug="employment-b")
    for capacity in (20, 15):
        factories.ResourceFactory(primary_category=work, municipality=nagano, capacity=capacity)
    # None of these is a running office of the region: closed, suspended, private, elsewhere.
    factories.ResourceFactory(primary_category=work, municipality=suzaka, status=ResourceStatus.CLOSED)
    factories.ResourceFactory(primary_category=work, municipality=suzaka, status=ResourceStatus.SUSPENDED)
    factories.ResourceFactory(
        primary_category=work, municipality=suzaka, visibility=Visibility.PRIVATE, owner=factories.planner()
    )
    factories.ResourceFactory(primary_category=work, municipality=factories.MunicipalityFactory())
    group_home = Category.objects.get(slug="group-home")
    for _n in range(3):  # three people in 須坂市 whose plans found no group home
        plan = factories.plan(municipality=suzaka)
        factories.plan_line(plan, category=group_home, status="unmet", unmet_reason="空きがない")
    factories.plan_line(
        factories.plan(municipality=nagano), category=work, status="unmet", unmet_reason="遠い"
    )

    client.force_login(factories.coordinator())
    assert 'href="/coordinator/coverage/"' in client.get("/").text
    page = client.get(COVERAGE).text  # the default region, 障害福祉サービス
    assert "北信圏域" in page and '<th scope="col">長野市</th><th scope="col">須坂市</th>' in page
    assert cell(page, "employment-b", "202011") == "2 定員35"
    assert cell(page, "employment-b", "202070") == "なし"
    assert 'href="/resources/?category=employment-b&amp;municipality=202011"' in page
    assert unmet(page, "group-home") == "3"
    assert unmet(page, "employment-b") == "3未満"  # one person: not a number that points at them
    missing = re.search(r'<section id="missing">.*?</section>', page, re.S)[0]
    assert "共同生活援助" in missing and "就労継続支援B型" not in missing

    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(COVERAGE, {"format": "csv"}).streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == ["種別", "圏域の計", "定員の計", "未充足の計画の行", "長野市", "須坂市"]
    assert ["就労継続支援B型", "2", "35", "3未満", "2", "0"] in rows


def test_only_coordinators_see_it_and_a_bad_choice_is_named(client, hokushin):
    assert client.get(COVERAGE).status_code == 302  # to the login page
    client.force_login(factories.planner())
    assert client.get(COVERAGE).status_code == 403
    client.force_login(factories.coordinator())
    response = client.get(COVERAGE, {"region": "nowhere"})
    assert response.status_code == 400 and 'id="id_region"' in response.text and "errorlist" in response.text
    assert client.get(COVERAGE, {"group": "informal"}).status_code == 200
