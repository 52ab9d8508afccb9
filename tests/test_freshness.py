"""Freshness: 確認日 badges by age, vacancies that age into 不明, the coordinator's queues (one question for
the home page, the queue pages and the admin) and the reminders of `remind_stale`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory import services
from directory.choices import Freshness, ResourceStatus, VerificationQueue
from directory.exports import CSV_HEADER, resource_csv_row
from directory.models import Membership, Resource, StaleReminder
from tests import factories
from tests.helpers import sign_in_as

pytestmark = pytest.mark.django_db


def verified(days_ago, **fields):
    resource = factories.ResourceFactory(**fields)
    if days_ago is not None:
        at = timezone.now() - timedelta(days=days_ago)
        services.resource_verify(resource=resource, by=factories.UserFactory(), at=at)
    return resource


@pytest.mark.parametrize(
    ("days_ago", "state", "shown"),
    [
        (10, Freshness.FRESH, "確認日"),
        (170, Freshness.FRESH, "確認日"),
        (200, Freshness.AGING, "確認から時間がたっています"),
        (360, Freshness.AGING, "確認から時間がたっています"),
        (370, Freshness.STALE, "未確認（最後の確認"),
        (None, Freshness.NEVER, "未確認"),
    ],
)
def test_badges_by_age(client, days_ago, state, shown):
    resource = verified(days_ago)
    assert resource.verification_freshness() == state
    text = client.get(resource.get_absolute_url()).text
    assert f'data-freshness="{state.value}"' in text
    assert shown in text


def test_the_thresholds_come_from_the_settings(settings):
    resource = verified(100)
    assert resource.verification_freshness() == Freshness.FRESH
    settings.VERIFIED_FRESH_MONTHS, settings.VERIFIED_STALE_MONTHS = 2, 3
    assert resource.verification_freshness() == Freshness.STALE


def test_confirmed_and_edited_dates_are_shown_apart(client):
    resource = verified(400)
    services.resource_update(resource=resource, by=factories.coordinator(), phone="026-000-0000")
    text = client.get(resource.get_absolute_url()).text
    assert "確認日（内容が正しいと確かめた日）" in text
    assert "更新日時（内容を変えた日）" in text
    body = client.get(reverse("api:resource-detail", args=[resource.pk])).json()
    assert body["verified_freshness"] == "stale"
    assert body["verified_at"] != body["updated_at"]


# --- vacancies ---------------------------------------------------------------------------------------


def reported(days_ago, places=4, **fields):
    resource = factories.ResourceFactory(**fields)
    factories.VacancyFactory(
        resource=resource, places=places, as_of=timezone.now() - timedelta(days=days_ago)
    )
    return Resource.objects.select_related("latest_vacancy").get(pk=resource.pk)


def test_a_vacancy_older_than_the_setting_is_unknown_everywhere(client, settings):
    settings.VACANCY_FRESH_DAYS = 30
    resource = reported(31, places=4)
    page = client.get(resource.get_absolute_url()).text
    assert "空き 不明" in page
    assert "空き 4" not in page
    card = client.get(reverse("directory:resource-search"), {"q": resource.name}).text
    assert "空き 不明" in card and "空き 4" not in card
    popup = client.get(reverse("mapviews:pin", args=[resource.pk])).json()  # what its map pin's popup says
    assert ["空き", "不明", ""] in popup["lines"] and "空き 4" not in str(popup)
    for url in (reverse("api:resource-detail", args=[resource.pk]), reverse("api:resource-list")):
        body = client.get(url).json()
        vacancy = (body if "latest_vacancy" in body else body["results"][0])["latest_vacancy"]
        assert (vacancy["places"], vacancy["is_fresh"]) == (None, False)
    assert resource_csv_row(resource, "")[CSV_HEADER.index("空き")] == "不明"


def test_a_fresh_vacancy_shows_its_number(client, settings):
    settings.VACANCY_FRESH_DAYS = 30
    resource = reported(29, places=4)
    assert "空き 4" in client.get(resource.get_absolute_url()).text
    body = client.get(reverse("api:resource-detail", args=[resource.pk])).json()
    assert body["latest_vacancy"]["places"] == 4


def test_an_office_not_taking_people_shows_that_instead_of_its_places(client):
    resource = reported(1, places=4, status=ResourceStatus.NOT_ACCEPTING)
    text = client.get(resource.get_absolute_url()).text
    assert 'data-vacancy="not-accepting">新規受付停止' in text
    assert "空き 4" not in text


# --- the coordinator's queues -------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """Two entries confirmed long ago (one of them closed), one never, one recently."""
    return {
        "old": verified(500),
        "closed": verified(500, status=ResourceStatus.CLOSED),
        "never": verified(None),
        "recent": verified(10),
    }


def test_the_home_counts_the_admin_filter_and_the_queue_pages_agree(client, catalogue):
    coordinator = factories.coordinator()
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    home = client.get(reverse("directory:home")).text
    # The closed entry confirmed long ago counts nowhere: it needs no confirming.
    for queue, expected in [
        (VerificationQueue.STALE, {"old", "never"}),
        (VerificationQueue.NEVER, {"never"}),
    ]:
        url = reverse("directory:verification-queue", args=[queue])
        assert f'href="{url}" data-queue="{queue}"' in home
        assert f"<strong>{len(expected)}</strong>" in home
        page = client.get(url).text
        listed = {key for key, resource in catalogue.items() if f'data-resource-id="{resource.pk}"' in page}
        assert listed == expected
        admin = client.get(reverse("admin:directory_resource_changelist"), {"verified": queue.value})
        assert admin.context["cl"].result_count == len(expected)


def test_entries_with_a_problem_report_come_first_in_the_queue(catalogue):
    from directory.selectors import resources_needing_verification

    services.problem_report(resource=catalogue["old"], by=factories.planner(), kind="wrong_phone")
    rows = list(resources_needing_verification(VerificationQueue.STALE))
    assert rows[0] == catalogue["old"]
    assert (rows[0].open_problems, rows[0].plan_usage) == (1, 0)
    assert rows[1] == catalogue["never"]


def test_a_coordinator_confirms_from_the_queue_and_it_records_who_and_when(client, catalogue):
    coordinator = factories.coordinator()
    client.force_login(coordinator)
    queue = reverse("directory:verification-queue", args=["stale"])
    response = client.post(reverse("directory:resource-verify", args=[catalogue["old"].pk]), {"next": queue})
    assert response.status_code == 302 and response.url == queue
    old = Resource.objects.get(pk=catalogue["old"].pk)
    assert old.verified_by == coordinator
    assert timezone.now() - old.verified_at < timedelta(minutes=1)
    assert old.updated_at == catalogue["old"].updated_at  # confirming is not editing
    assert f'data-resource-id="{old.pk}"' not in client.get(queue).text


@pytest.mark.parametrize("role", ["anonymous", "planner", "manager"])
def test_only_coordinators_open_the_queues(client, role):
    sign_in_as(client, role)
    for url in (reverse("directory:verification-queue", args=["stale"]), reverse("directory:corrections")):
        response = client.get(url)
        assert response.status_code == (302 if role == "anonymous" else 403)


def test_an_unknown_queue_is_a_404(client):
    client.force_login(factories.coordinator())
    assert client.get(reverse("directory:verification-queue", args=["soon"])).status_code == 404


# --- remind_stale -------------------------------------------------------------------------------------


def remind(*args):
    out = StringIO()
    call_command("remind_stale", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_remind_stale_mails_each_organization_once_per_period(settings):
    settings.SITE_URL = "https://map.example.jp"
    organization = factories.OrganizationFactory(name="社会福祉法人みどり会")
    manager = factories.service_manager(organization, email="kanri@example.jp")
    stale = verified(400, organization=organization, name="みどり作業所")
    verified(10, organization=organization, name="新しい家")
    verified(None, organization=factories.OrganizationFactory(), email="office@example.jp", name="未確認の家")
    verified(400, organization=factories.OrganizationFactory())  # nobody to write to

    output = remind()
    assert len(mail.outbox) == 2
    first = next(message for message in mail.outbox if message.to == [manager.email])
    assert "登録情報の確認のお願い（1件）" in first.subject
    assert "みどり作業所" in first.body and "新しい家" not in first.body
    assert f"https://map.example.jp{stale.get_absolute_url()}" in first.body
    assert {tuple(message.to) for message in mail.outbox} == {("kanri@example.jp",), ("office@example.jp",)}
    assert StaleReminder.objects.count() == 2
    assert "Sent 2 reminders; 1 organizations without an address" in output

    remind()  # the next day: nothing new
    assert len(mail.outbox) == 2
    StaleReminder.objects.update(sent_at=timezone.now() - timedelta(days=31))
    remind()
    assert len(mail.outbox) == 4


def test_remind_stale_dry_run_sends_nothing():
    organization = factories.OrganizationFactory()
    factories.service_manager(organization, email="a@example.jp")
    verified(400, organization=organization)
    assert "Would send 1 reminders" in remind("--dry-run")
    assert mail.outbox == [] and not StaleReminder.objects.exists()
    assert Group.objects.exists() and Membership.objects.exists()


def test_entries_chosen_in_more_plan_lines_come_first_among_equals(catalogue):
    from directory.selectors import resources_needing_verification
    from plans import services as plan_services

    planner = factories.planner()
    for _n in range(2):
        plan = factories.plan(owner=planner)
        plan_services.plan_line_add(
            plan=plan, by=planner, priority=1, need="日中の活動", provider=catalogue["old"]
        )
    rows = list(resources_needing_verification(VerificationQueue.STALE))
    assert [(row, row.plan_usage) for row in rows] == [(catalogue["old"], 2), (catalogue["never"], 0)]
