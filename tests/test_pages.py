from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory import services
from directory.choices import Visibility
from directory.models import Category, Resource
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_home_page_speaks_japanese_by_default(client):
    response = client.get(reverse("directory:home"))
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert "地域資源マップ" in response.text


def test_a_user_can_switch_the_interface_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("directory:home"))
    assert '<html lang="en">' in response.text
    assert "Community Resource Map" in response.text


def test_each_role_gets_its_own_home_page(client):
    organization = factories.OrganizationFactory()
    own = factories.ResourceFactory(organization=organization, name="ひまわり作業所")
    pages = {
        factories.planner(): "planner-home",
        factories.service_manager(organization): "manager-home",
        factories.coordinator(): "coordinator-home",
    }
    for user, section in pages.items():
        client.force_login(user)
        text = client.get(reverse("directory:home")).text
        assert f'id="{section}"' in text
        for other in set(pages.values()) - {section}:
            assert f'id="{other}"' not in text
    client.force_login(next(user for user, section in pages.items() if section == "manager-home"))
    assert own.name in client.get(reverse("directory:home")).text


def test_a_managers_home_never_lists_another_users_private_entry_under_their_organization(client):
    organization = factories.OrganizationFactory()
    colleague, manager = factories.service_manager(organization), factories.service_manager(organization)
    factories.ResourceFactory(organization=organization, name="ひまわり作業所")
    factories.ResourceFactory(
        organization=organization, name="同僚の覚え書き", visibility=Visibility.PRIVATE, owner=colleague
    )
    # a planner's private entry filed under the organization before the rule refused it
    legacy = factories.ResourceFactory(
        name="近所のAさん", visibility=Visibility.PRIVATE, owner=factories.planner()
    )
    Resource.objects.filter(pk=legacy.pk).update(organization=organization)
    mine = factories.ResourceFactory(
        organization=organization, name="自分の覚え書き", visibility=Visibility.PRIVATE, owner=manager
    )

    client.force_login(manager)
    home = client.get(reverse("directory:home")).text.split('id="manager-home"')[1]
    assert "ひまわり作業所" in home and mine.name in home
    assert "同僚の覚え書き" not in home and "近所のAさん" not in home
    client.force_login(colleague)
    assert "同僚の覚え書き" in client.get(reverse("directory:home")).text


def test_the_detail_page_shows_every_field_group_and_the_age_of_its_verification(client):
    coordinator = factories.coordinator()
    resource = factories.ResourceFactory(name="ワークセンターさくら", capacity=20, office_number="2012345678")
    services.resource_verify(resource=resource, by=coordinator, at=timezone.now() - timedelta(days=400))
    services.vacancy_report(
        resource=resource, by=coordinator, places=3, as_of=timezone.now() - timedelta(days=2)
    )
    text = client.get(resource.get_absolute_url()).text
    assert "ワークセンターさくら" in text
    assert "2012345678" in text
    assert "20人" in text
    assert 'data-freshness="stale"' in text
    assert "400日前" in text
    assert "空き 3" in text


def test_the_detail_page_lists_opening_hours_in_the_order_of_the_week(client):
    resource = factories.ResourceFactory(
        hours=[
            {"day_type": "holiday", "opens": "10:00", "closes": "15:00"},
            {"day_type": "weekday", "opens": "09:00", "closes": "17:00"},
            {"day_type": "sunday", "text": "要相談"},
            {"day_type": "saturday", "opens": "09:00", "closes": "12:00"},
        ]
    )
    text = client.get(resource.get_absolute_url()).text
    positions = [text.index(f"<dt>{day}</dt>") for day in ("平日", "土曜", "日曜", "祝日")]
    assert positions == sorted(positions)


def test_the_detail_page_lists_the_changes_with_old_and_new_values(client):
    coordinator = factories.coordinator()
    resource = services.resource_create(
        by=coordinator,
        name="グループホームりんご",
        primary_category=Category.objects.get(slug="group-home"),
        capacity=5,
    )
    services.resource_update(resource=resource, by=coordinator, capacity=7)
    client.force_login(factories.planner())
    history = client.get(resource.get_absolute_url()).text.split('id="history"')[1]
    assert "定員: 5 → 7" in history
    assert coordinator.username in history


@pytest.mark.parametrize("history_rows", [2, 50])
def test_the_detail_page_costs_the_same_queries_however_long_its_history(
    client, django_assert_num_queries, history_rows
):
    coordinator = factories.coordinator()
    organizations = [factories.OrganizationFactory(), factories.OrganizationFactory()]
    categories = [Category.objects.get(slug="group-home"), Category.objects.get(slug="short-stay")]
    places = [factories.MunicipalityFactory(), factories.MunicipalityFactory()]
    resource = factories.ResourceFactory(organization=organizations[0], hours=[{"day_type": "weekday"}])
    services.vacancy_report(resource=resource, by=coordinator, places=1)
    n = 0
    while (left := history_rows - resource.history.count()) > 0:
        # edits of plain fields and foreign keys; now and then of a set (which adds a record per set)
        sets = {"categories": categories[: n % 3], "service_area": places[: n % 2 + 1]} if left > 3 else {}
        services.resource_update(
            resource=resource,
            by=coordinator,
            capacity=n,
            organization=organizations[(n + 1) % 2],
            municipality=places[(n + 1) % 2],
            **(sets if n % 10 == 5 else {}),
        )
        n += 1
    assert resource.history.count() == history_rows
    client.force_login(factories.planner())
    with django_assert_num_queries(23):
        # 1 the session, 2 its user, 3 the user's roles
        # 4 the entry joined to its organization, category, municipality and prefecture, verifier and
        #   latest vacancy with its reporter
        # 5-6 may this user edit it (a member of its 法人? an entry they may edit?)
        # 7-9 the ratings that count, the provider's reply, the user's own rating
        # 10-13 may they rate, suggest, report (directory.rules)
        # 14 the history records joined to their authors and to the related objects they name
        # 15-17 the records' snapshots of categories, service area and features
        # 18-22 the entry's categories, service area, opening hours, fees and features
        # 23 the category's ratings, for the smoothed mean
        response = client.get(resource.get_absolute_url())
    history = response.text.split('id="history"')[1]
    assert history.count("<time ") == history_rows
    assert f"法人: {organizations[0].name} → {organizations[1].name}" in history
    if history_rows == 50:
        assert "その他のサービス種別: 共同生活援助 → " in history


def test_the_public_sees_changes_but_not_who_made_them(client):
    coordinator = factories.coordinator(username="kanri-taro")
    resource = factories.ResourceFactory()
    services.resource_update(resource=resource, by=coordinator, capacity=9)
    services.resource_verify(resource=resource, by=coordinator)
    history = client.get(resource.get_absolute_url()).text.split('id="history"')[1]
    assert "定員" in history
    assert "kanri-taro" not in history


@pytest.mark.parametrize(
    ("visibility", "viewer", "status"),
    [
        (Visibility.PROFESSIONALS, "anonymous", 404),
        (Visibility.PROFESSIONALS, "planner", 200),
        (Visibility.PRIVATE, "anonymous", 404),
        (Visibility.PRIVATE, "planner", 404),
        (Visibility.PRIVATE, "owner", 200),
        (Visibility.PRIVATE, "coordinator", 404),
    ],
)
def test_the_detail_page_answers_404_to_those_who_may_not_see_the_entry(client, visibility, viewer, status):
    owner = factories.planner()
    resource = factories.ResourceFactory(visibility=visibility, owner=owner)
    users = {"planner": factories.planner, "coordinator": factories.coordinator}
    if viewer == "owner":
        client.force_login(owner)
    elif viewer in users:
        client.force_login(users[viewer]())
    assert client.get(resource.get_absolute_url()).status_code == status


def test_login_and_logout_work_for_a_demo_style_user(client):
    factories.planner(username="planner")
    response = client.post(
        reverse("login"), {"username": "planner", "password": "pass-for-tests"}, follow=True
    )
    assert 'id="planner-home"' in response.text
    response = client.post(reverse("logout"), follow=True)
    assert 'id="planner-home"' not in response.text


def test_an_entry_on_a_phone_says_phone_hours_and_what_it_does_first_with_a_way_back(client):
    resource = factories.ResourceFactory(
        name="ワークセンターさくら",
        phone="026-000-0000",
        description="パンづくりと清掃の仕事をしています。",
        hours=[{"day_type": "weekday", "opens": "09:00", "closes": "16:00"}],
    )
    text = client.get(
        resource.get_absolute_url(), HTTP_REFERER="http://testserver/resources/?q=%E3%83%91%E3%83%B3"
    ).text
    first = text.index('id="first-facts"')
    assert first < text.index('href="tel:026-000-0000"') < text.index("事業所番号")
    assert (
        first
        < text.index("平日 09:00〜16:00")
        < text.index("法人番号" if "法人番号" in text else "事業所番号")
    )
    assert first < text.index("パンづくりと清掃の仕事") < text.index("事業所番号")
    assert '<a href="/resources/?q=%E3%83%91%E3%83%B3" id="back-to-results">' in text
    elsewhere = client.get(resource.get_absolute_url(), HTTP_REFERER="https://example.com/").text
    assert '<a href="/resources/" id="back-to-results">' in elsewhere
