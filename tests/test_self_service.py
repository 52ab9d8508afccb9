"""Provider self-service and corrections: vacancy in two clicks, editing one's own entries with optimistic
locking, confirming, suggested edits for a coordinator to approve or reject, problem reports; the
permissions of each action per role."""

import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from directory import services
from directory.choices import ResourceStatus, SuggestionStatus
from directory.models import ProblemReport, Resource, SuggestedEdit, Vacancy
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """法人 A with its service manager and entry, 法人 B's entry, a planner and a coordinator."""
    a, b = factories.OrganizationFactory(), factories.OrganizationFactory()
    return {
        "a_entry": factories.ResourceFactory(organization=a, name="Aの作業所", phone="026-111-1111"),
        "b_entry": factories.ResourceFactory(organization=b, name="Bの家"),
        "manager": factories.service_manager(a),
        "planner": factories.planner(),
        "coordinator": factories.coordinator(),
    }


def login(client, world, who):
    if who != "anonymous":
        client.force_login(world[who])


# What each role gets from each action's page (GET), on A's entry and on B's entry.
PERMISSIONS = [
    # (action, who, on A's entry, on B's entry)
    ("resource-vacancy", "anonymous", 302, 302),
    ("resource-vacancy", "planner", 403, 403),
    ("resource-vacancy", "manager", 200, 403),
    ("resource-vacancy", "coordinator", 200, 200),
    ("resource-edit", "anonymous", 302, 302),
    ("resource-edit", "planner", 403, 403),
    ("resource-edit", "manager", 200, 403),
    ("resource-edit", "coordinator", 200, 200),
    ("resource-suggest", "anonymous", 302, 302),
    ("resource-suggest", "planner", 200, 200),
    ("resource-suggest", "manager", 403, 200),  # A's own entry is edited, not suggested
    ("resource-suggest", "coordinator", 403, 403),
    ("resource-problem", "anonymous", 302, 302),
    ("resource-problem", "planner", 200, 200),
    ("resource-problem", "manager", 200, 200),
    ("resource-problem", "coordinator", 200, 200),
    ("resource-rate", "anonymous", 302, 302),
    ("resource-rate", "planner", 200, 200),
    ("resource-rate", "manager", 403, 200),
    ("resource-rate", "coordinator", 403, 403),
]


@pytest.mark.parametrize(("action", "who", "on_a", "on_b"), PERMISSIONS)
def test_permissions_of_each_action_per_role(client, world, action, who, on_a, on_b):
    login(client, world, who)
    for entry, status in (("a_entry", on_a), ("b_entry", on_b)):
        assert client.get(reverse(f"directory:{action}", args=[world[entry].pk])).status_code == status


CONFIRM = [("anonymous", 302, 302), ("planner", 403, 403), ("manager", 302, 403), ("coordinator", 302, 302)]


@pytest.mark.parametrize(("who", "on_a", "on_b"), CONFIRM)
def test_who_may_confirm_an_entry(client, world, who, on_a, on_b):
    login(client, world, who)
    for entry, status in (("a_entry", on_a), ("b_entry", on_b)):
        response = client.post(reverse("directory:resource-verify", args=[world[entry].pk]))
        assert response.status_code == status
        confirmed = Resource.objects.get(pk=world[entry].pk).verified_at is not None
        assert confirmed == (status == 302 and who != "anonymous")


# --- vacancy in two clicks ----------------------------------------------------------------------------


def test_a_manager_updates_vacancy_in_two_clicks_from_the_home_page(client, world):
    entry = world["a_entry"]
    factories.VacancyFactory(resource=entry, places=2, reported_by=world["manager"])
    client.force_login(world["manager"])
    home = client.get(reverse("directory:home")).text
    button = re.search(rf'href="(/resources/{entry.pk}/vacancy/[^"]*)"', home)
    assert button, "no vacancy button on the manager's home"  # click 1
    form = client.get(button.group(1).replace("&amp;", "&"))
    assert 'name="places" value="2"' in form.text  # pre-filled with the last report
    response = client.post(button.group(1).replace("&amp;", "&"), {"places": "0", "next": "/"})  # click 2
    assert response.status_code == 302 and response.url == "/"
    latest = Resource.objects.get(pk=entry.pk).latest_vacancy
    assert (latest.places, latest.reported_by) == (0, world["manager"])
    assert "空き状況を更新しました" in client.get("/").text


def test_a_bad_vacancy_number_is_an_error_on_the_form(client, world):
    client.force_login(world["manager"])
    response = client.post(
        reverse("directory:resource-vacancy", args=[world["a_entry"].pk]), {"places": "-1"}
    )
    assert response.status_code == 400
    assert "errorlist" in response.text
    assert not Vacancy.objects.exists()


# --- editing one's own entry, with optimistic locking ----------------------------------------------------


def edit_form(client, entry):
    text = client.get(reverse("directory:resource-edit", args=[entry.pk])).text
    version = re.search(r'name="version" value="([0-9a-f]+)"', text).group(1)
    return {
        "version": version,
        "status": entry.status,
        "phone": entry.phone,
        "capacity": entry.capacity or "",
        "description": entry.description,
    }


def test_a_manager_edits_their_entry_through_the_form_with_history(client, world):
    entry = world["a_entry"]
    client.force_login(world["manager"])
    data = edit_form(client, entry) | {"phone": "026-222-2222", "capacity": "25", "status": "not_accepting"}
    response = client.post(reverse("directory:resource-edit", args=[entry.pk]), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.phone, entry.capacity, entry.status) == ("026-222-2222", 25, ResourceStatus.NOT_ACCEPTING)
    assert entry.history.latest().history_user == world["manager"]


def test_someone_elses_earlier_save_is_a_plain_message_and_nothing_is_overwritten(client, world):
    entry = world["a_entry"]
    client.force_login(world["manager"])
    data = edit_form(client, entry) | {"phone": "026-333-3333"}
    services.resource_update(resource=entry, by=world["coordinator"], phone="026-999-9999")  # saved first
    response = client.post(reverse("directory:resource-edit", args=[entry.pk]), data)
    assert response.status_code == 409
    assert "読み込んだ後にほかの人が変更しました" in response.text
    assert "最新の内容で編集画面を開き直す" in response.text
    entry.refresh_from_db()
    assert entry.phone == "026-999-9999"


def test_a_bad_value_on_the_edit_form_names_the_field(client, world):
    client.force_login(world["manager"])
    data = edit_form(client, world["a_entry"]) | {"capacity": "-3"}
    response = client.post(reverse("directory:resource-edit", args=[world["a_entry"].pk]), data)
    assert response.status_code == 400
    assert 'id="field-capacity"' in response.text and "has-error" in response.text


def hours_inputs(page):
    """The opening-hours inputs of the edit form with the values they show, as the browser sends them."""
    fields = re.findall(r'<input type="(?:time|text)" name="(hours_\w+)"(?: value="([^"]*)")?', page)
    return {name: html.unescape(value) for name, value in fields}


def test_a_manager_keeps_the_opening_hours_true_day_by_day(client, world):
    entry = world["a_entry"]
    client.force_login(world["manager"])
    url = reverse("directory:resource-edit", args=[entry.pk])
    page = client.get(url).text
    assert "<legend>平日</legend>" in page and "<legend>祝日</legend>" in page
    data = edit_form(client, entry) | hours_inputs(page)
    data |= {"hours_weekday_opens": "09:00", "hours_weekday_closes": "17:00", "hours_holiday_text": "要相談"}
    data |= {
        "hours_saturday_opens": "10:00",
        "hours_saturday_closes": "15:00",
        "hours_saturday_text": "第2土曜のみ",
    }
    assert client.post(url, data).status_code == 302
    shown = client.get(entry.get_absolute_url()).text
    assert "平日 09:00〜17:00、土曜 10:00〜15:00" in shown
    assert [str(hours) for hours in entry.hours.all()] == [
        "平日 09:00〜17:00",
        "土曜 10:00〜15:00",
        "祝日 要相談",
    ]
    assert entry.hours.get(day_type="saturday").text == "第2土曜のみ"
    assert client.get(f"/map/pins/{entry.pk}/").json()["lines"][2][1].startswith("平日 09:00〜17:00")

    # A day emptied is closed; the others stay as they were.
    page = client.get(url).text
    data = edit_form(client, entry) | hours_inputs(page)
    data |= {"hours_saturday_opens": "", "hours_saturday_closes": "", "hours_saturday_text": ""}
    assert client.post(url, data).status_code == 302
    assert [hours.day_type for hours in entry.hours.all()] == ["weekday", "holiday"]


def test_the_hours_note_is_on_the_form_and_saved_beside_the_hours_table(client, world):
    entry = world["a_entry"]
    client.force_login(world["manager"])
    url = reverse("directory:resource-edit", args=[entry.pk])
    page = client.get(url).text
    assert 'id="field-hours_note"' in page
    data = edit_form(client, entry) | hours_inputs(page) | {"hours_note": "年末年始は休み"}
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.hours_note == "年末年始は休み"


def test_a_save_that_leaves_the_hours_alone_keeps_the_sources_words(client, world):
    entry = world["a_entry"]
    services.resource_update(
        resource=entry,
        hours=[{"day_type": "weekday", "opens": "08:30", "closes": "17:15", "text": "8時半～17時15分"}],
    )
    client.force_login(world["manager"])
    url = reverse("directory:resource-edit", args=[entry.pk])
    data = edit_form(client, entry) | hours_inputs(client.get(url).text) | {"phone": "026-222-2222"}
    assert client.post(url, data).status_code == 302
    hours = entry.hours.get()
    assert (str(hours.opens), hours.text) == ("08:30:00", "8時半～17時15分")
    # A form sent without the table (not a browser's) changes no hours either.
    assert client.post(url, edit_form(client, entry) | {"phone": "026-333-3333"}).status_code == 302
    assert entry.hours.count() == 1
    # New times: the source's words, which told the old ones, go with them.
    data = edit_form(client, entry) | hours_inputs(client.get(url).text) | {"hours_weekday_closes": "16:00"}
    assert client.post(url, data).status_code == 302
    hours = entry.hours.get()
    assert (str(hours.closes), hours.text) == ("16:00:00", "")


def test_an_opening_time_without_its_closing_time_is_refused_naming_the_field(client, world):
    entry = world["a_entry"]
    client.force_login(world["manager"])
    url = reverse("directory:resource-edit", args=[entry.pk])
    data = edit_form(client, entry) | hours_inputs(client.get(url).text)
    data |= {"hours_sunday_opens": "09:00", "phone": "026-999-0000"}
    response = client.post(url, data)
    assert response.status_code == 400
    field = re.search(r'<div class="[^"]*" id="field-hours_sunday_closes">.*?</div>', response.text, re.S)[0]
    assert "has-error" in field and "開始と終了の時刻は両方入力してください。" in field
    entry.refresh_from_db()
    assert entry.phone == "026-111-1111" and not entry.hours.exists()  # nothing half-saved


# --- suggested edits ----------------------------------------------------------------------------------


def test_a_planner_suggests_an_edit_and_a_coordinator_approves_it_with_history(client, world):
    entry, planner, coordinator = world["b_entry"], world["planner"], world["coordinator"]
    client.force_login(planner)
    response = client.post(
        reverse("directory:resource-suggest", args=[entry.pk]),
        {"field": "phone", "new_value": "026-444-4444", "reason": "事業所に電話で確認"},
    )
    assert response.status_code == 302
    suggestion = SuggestedEdit.objects.get()
    assert (suggestion.old_value, suggestion.new_value, suggestion.suggested_by) == (
        entry.phone,
        "026-444-4444",
        planner,
    )
    assert Resource.objects.get(pk=entry.pk).phone == entry.phone  # nothing changed yet

    client.force_login(coordinator)
    page = client.get(reverse("directory:corrections")).text
    assert f'data-suggestion-id="{suggestion.pk}"' in page and "事業所に電話で確認" in page
    client.post(reverse("directory:suggestion-decide", args=[suggestion.pk, "approve"]), {"note": "確認済み"})
    entry.refresh_from_db()
    assert entry.phone == "026-444-4444"
    record = entry.history.latest()
    assert record.history_user == coordinator
    assert record.history_change_reason == f"修正提案 #{suggestion.pk}（{planner.get_username()}）"
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.APPROVED, coordinator)
    with pytest.raises(ValidationError):  # decided once
        services.suggestion_reject(suggestion=suggestion, by=coordinator)


def test_a_rejected_suggestion_leaves_the_entry_as_it_was(world):
    entry = world["b_entry"]
    suggestion = services.suggestion_create(
        resource=entry, by=world["planner"], field="capacity", new_value="40", reason="見学時に聞いた"
    )
    services.suggestion_reject(suggestion=suggestion, by=world["coordinator"], note="定員は変わっていない")
    assert Resource.objects.get(pk=entry.pk).capacity == entry.capacity
    assert entry.history.count() == Resource.objects.get(pk=entry.pk).history.count()
    assert SuggestedEdit.objects.get().status == SuggestionStatus.REJECTED


def test_a_suggestion_is_checked_like_the_field_and_decided_by_coordinators_only(world):
    entry, planner = world["b_entry"], world["planner"]
    with pytest.raises(ValidationError) as error:
        services.suggestion_create(resource=entry, by=planner, field="capacity", new_value="many", reason="x")
    assert "new_value" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.suggestion_create(resource=entry, by=planner, field="status", new_value="gone", reason="x")
    suggestion = services.suggestion_create(
        resource=entry, by=planner, field="status", new_value="suspended", reason="休止の張り紙"
    )
    with pytest.raises(PermissionDenied):
        services.suggestion_approve(suggestion=suggestion, by=world["manager"])
    with pytest.raises(PermissionDenied):  # a manager edits their own entry, not through suggestions
        services.suggestion_create(
            resource=world["a_entry"], by=world["manager"], field="phone", new_value="1", reason="x"
        )


def test_only_coordinators_decide_suggestions_over_http(client, world):
    suggestion = services.suggestion_create(
        resource=world["b_entry"], by=world["planner"], field="phone", new_value="0", reason="x"
    )
    client.force_login(world["planner"])
    url = reverse("directory:suggestion-decide", args=[suggestion.pk, "approve"])
    assert client.post(url).status_code == 403
    assert SuggestedEdit.objects.get().status == SuggestionStatus.PENDING


# --- problem reports ----------------------------------------------------------------------------------


def test_anyone_signed_in_reports_a_problem_and_it_reaches_the_coordinators_queue(client, world):
    entry = world["b_entry"]
    client.force_login(world["manager"])  # a manager of another 法人, who saw it closed
    response = client.post(reverse("directory:resource-problem", args=[entry.pk]), {"kind": "closed"})
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    client.force_login(world["coordinator"])
    assert f'data-problem-id="{report.pk}"' in client.get(reverse("directory:corrections")).text
    client.post(reverse("directory:problem-resolve", args=[report.pk]))
    report.refresh_from_db()
    assert report.resolved_by == world["coordinator"]
    assert f'data-problem-id="{report.pk}"' not in client.get(reverse("directory:corrections")).text


def test_other_needs_a_note(client, world):
    client.force_login(world["planner"])
    response = client.post(
        reverse("directory:resource-problem", args=[world["b_entry"].pk]), {"kind": "other"}
    )
    assert response.status_code == 400
    assert "「その他」のときは" in response.text
    assert not ProblemReport.objects.exists()


def test_the_entry_page_offers_each_role_its_actions(client, world):
    entry = world["a_entry"]
    expected = {
        "manager": {"空き状況を更新", "情報を編集", "今日の時点で正しいと確認した", "問題を報告"},
        "planner": {"評価する", "修正を提案", "問題を報告"},
        "coordinator": {"空き状況を更新", "情報を編集", "今日の時点で正しいと確認した", "問題を報告"},
    }
    every = set().union(*expected.values())
    for who, offered in expected.items():
        client.force_login(world[who])
        text = client.get(entry.get_absolute_url()).text
        nav = text[
            text.index('class="entry-actions"') : text.index("</nav>", text.index('class="entry-actions"'))
        ]
        assert {label for label in every if label in nav} == offered, who
    client.logout()
    assert 'class="entry-actions"' not in client.get(entry.get_absolute_url()).text
