"""The admin writes through the services (search text, grid cell, latest vacancy follow each edit), never
deletes an entry, and shows no one another user's private entry.

Forms are filled as a browser would: the page's own form is read (every input, select and textarea with
the value it holds), a few fields are changed, and the whole form is posted back."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from directory import services
from directory.choices import Visibility
from directory.models import Resource, Vacancy
from tests import factories

pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """The fields of the page's main form (id ending in _form) and the values a browser would post."""

    def __init__(self):
        super().__init__()
        self.fields, self.inside, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.inside = True
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None


def form_of(response, **changes):
    """The form on the page as a browser would post it, with `changes` ({name: value or list}) made."""
    assert response.status_code == 200, response.status_code
    reader = FormReader()
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    return data


def change_url(resource):
    return reverse("admin:directory_resource_change", args=[resource.pk])


def split(when):
    """An aware datetime as the admin's date and time inputs hold it."""
    local = timezone.localtime(when)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M:%S")}


@pytest.fixture
def coordinator(client):
    user = factories.coordinator(is_staff=True)
    client.force_login(user)
    return user


def found(client, **params):
    """The ids of the entries the search page lists (by the links to their pages)."""
    response = client.get("/resources/", params)
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'href="/resources/(\d+)/"', response.text)}


def test_a_rename_in_the_admin_is_found_by_the_search(client, coordinator):
    resource = factories.ResourceFactory(name="ひまわり作業所", organization=None, address="")
    page = client.get(change_url(resource))
    response = client.post(change_url(resource), form_of(page, name="あおぞら工房"))
    assert response.status_code == 302, response.content
    assert found(client, q="あおぞら工房") == found(client, q="アオゾラ") == {resource.pk}
    assert found(client, q="ひまわり") == set()
    newest = resource.history.order_by("-history_date", "-history_id").first()
    assert (newest.name, newest.history_user) == ("あおぞら工房", coordinator)


def test_a_move_in_the_admin_is_found_near_its_new_place(client, coordinator):
    resource = factories.ResourceFactory(name="ひまわり作業所", latitude=36.65, longitude=138.19)
    page = client.get(change_url(resource))
    response = client.post(change_url(resource), form_of(page, latitude="35.6812", longitude="139.7671"))
    assert response.status_code == 302, response.content
    assert found(client, near="35.68,139.76", radius_km="2") == {resource.pk}
    assert found(client, near="36.65,138.19", radius_km="2") == set()


def test_fee_lines_edited_in_the_admin_change_the_monthly_fee(client, coordinator):
    resource = factories.ResourceFactory(fees=[{"kind": "fixed", "amount_yen": 3000, "unit": "month"}])
    assert resource.monthly_fee_yen == 3000
    page = client.get(change_url(resource))
    data = form_of(page, **{"fees-0-amount_yen": "5000"})
    data.update({"fees-TOTAL_FORMS": ["2"], "fees-1-kind": ["actual"], "fees-1-amount_yen": ["500"]})
    data.update({"fees-1-unit": ["day"], "fees-1-description": ["昼食"]})
    response = client.post(change_url(resource), data)
    assert response.status_code == 302, response.content
    resource.refresh_from_db()
    assert resource.monthly_fee_yen == 5000 + 22 * 500
    assert sorted(resource.fees.values_list("amount_yen", flat=True)) == [500, 5000]


def add_report(data, when, places):
    row = int(data["vacancies-TOTAL_FORMS"][0])
    data["vacancies-TOTAL_FORMS"] = [str(row + 1)]
    data.update({f"vacancies-{row}-as_of_{part}": [value] for part, value in split(when).items()})
    data[f"vacancies-{row}-places"] = [str(places)]
    data[f"vacancies-{row}-places_by_weekday"] = ["{}"]
    return data


def test_a_vacancy_report_added_in_the_admin_becomes_the_latest(client, coordinator):
    resource = factories.ResourceFactory()
    older = services.vacancy_report(
        resource=resource, by=factories.UserFactory(), places=1, as_of=timezone.now() - timedelta(days=3)
    )
    page = client.get(change_url(resource))
    response = client.post(change_url(resource), add_report(form_of(page), timezone.now(), places=4))
    assert response.status_code == 302, response.content
    resource.refresh_from_db()
    assert resource.latest_vacancy != older
    assert (resource.latest_vacancy.places, resource.latest_vacancy.reported_by) == (4, coordinator)
    assert "空き 4" in client.get(resource.get_absolute_url()).text


def test_a_vacancy_report_added_on_its_own_admin_page_becomes_the_latest(client, coordinator):
    resource = factories.ResourceFactory()
    services.vacancy_report(resource=resource, by=coordinator, places=1, as_of=timezone.now() - timedelta(1))
    add = reverse("admin:directory_vacancy_add")
    data = {"resource": [str(resource.pk)], "places": ["6"], "places_by_weekday": ["{}"], "note": [""]}
    data.update({f"as_of_{part}": [value] for part, value in split(timezone.now()).items()})
    response = client.post(add, data)
    assert response.status_code == 302, response.content
    resource.refresh_from_db()
    assert (resource.latest_vacancy.places, resource.latest_vacancy.reported_by) == (6, coordinator)


@pytest.mark.parametrize("when", ["9999-12-31", "0774-05-01"])
def test_a_vacancy_report_dated_ahead_or_before_2000_is_refused_on_the_form(client, coordinator, when):
    resource = factories.ResourceFactory()
    data = add_report(form_of(client.get(change_url(resource))), timezone.now(), places=2)
    data["vacancies-0-as_of_0"] = [when]
    response = client.post(change_url(resource), data)
    assert response.status_code == 200  # the form again, with the error
    assert "空きの時点" in response.text
    assert not Vacancy.objects.exists()


def test_the_admin_offers_no_way_to_delete_an_entry(client, coordinator):
    resource = factories.ResourceFactory(name="ひまわり作業所")
    changelist = client.get(reverse("admin:directory_resource_changelist"))
    assert "ひまわり作業所" in changelist.text
    assert 'value="delete_selected"' not in changelist.text
    assert 'value="mark_verified"' in changelist.text
    page = client.get(change_url(resource))
    assert reverse("admin:directory_resource_delete", args=[resource.pk]) not in page.text
    delete = client.post(reverse("admin:directory_resource_delete", args=[resource.pk]), {"post": "yes"})
    assert delete.status_code == 403
    bulk = client.post(
        reverse("admin:directory_resource_changelist"),
        {"action": "delete_selected", "_selected_action": [resource.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Resource.objects.filter(pk=resource.pk).exists()


def test_another_users_private_entry_is_absent_from_the_admin(client, coordinator):
    neighbour = factories.ResourceFactory(
        name="近所のAさん", visibility=Visibility.PRIVATE, owner=factories.planner()
    )
    services.vacancy_report(resource=neighbour, by=neighbour.owner, places=1)
    own = factories.ResourceFactory(name="わたしの覚え書き", visibility=Visibility.PRIVATE, owner=coordinator)
    changelist = client.get(reverse("admin:directory_resource_changelist"))
    assert "わたしの覚え書き" in changelist.text and "近所のAさん" not in changelist.text
    assert "近所のAさん" not in client.get(reverse("admin:directory_vacancy_changelist")).text

    change = client.get(change_url(neighbour))
    assert change.status_code == 302 and change["Location"] == reverse("admin:index")
    assert "近所のAさん" not in client.get(change["Location"]).text
    posted = client.post(change_url(neighbour), {"name": "書き換え"})
    assert posted.status_code == 302
    neighbour.refresh_from_db()
    assert neighbour.name == "近所のAさん"
    history = reverse("admin:directory_resource_history", args=[neighbour.pk])
    assert client.get(history).status_code == 404
    version = neighbour.history.first().history_id
    old_version = reverse("admin:directory_resource_simple_history", args=[neighbour.pk, version])
    assert client.get(old_version).status_code == 404
    assert client.get(change_url(own)).status_code == 200

    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"term": "近所", "app_label": "directory", "model_name": "vacancy", "field_name": "resource"},
    )
    assert autocomplete.json()["results"] == []
    data = {"resource": [str(neighbour.pk)], "places": ["6"], "places_by_weekday": ["{}"]}
    data.update({f"as_of_{part}": [value] for part, value in split(timezone.now()).items()})
    assert client.post(reverse("admin:directory_vacancy_add"), data).status_code == 200  # refused on the form
    assert neighbour.vacancies.count() == 1


def test_an_entry_added_in_the_admin_is_found_and_a_private_one_is_its_writers(client, coordinator):
    add = reverse("admin:directory_resource_add")
    data = form_of(client.get(add), name="新しいサロン", primary_category=str(_category("salon")))
    data.update({"kind": ["informal"], "visibility": ["private"], "status": ["active"], "source": ["manual"]})
    response = client.post(add, data)
    assert response.status_code == 302, response.content
    created = Resource.objects.get(name="新しいサロン")
    assert created.owner == coordinator
    assert found(client, q="新しいサロン") == {created.pk}
    assert created.history.get().history_user == coordinator


def test_a_private_entry_cannot_be_put_under_an_organization_its_owner_is_not_in(client, coordinator):
    resource = factories.ResourceFactory(
        name="わたしの覚え書き", visibility=Visibility.PRIVATE, owner=coordinator
    )
    organization = factories.OrganizationFactory()
    page = client.get(change_url(resource))
    response = client.post(change_url(resource), form_of(page, organization=str(organization.pk)))
    assert response.status_code == 200
    assert "登録者が所属する法人" in response.text
    resource.refresh_from_db()
    assert resource.organization is None


def test_an_organization_renamed_in_the_admin_is_found_by_its_new_name(client, coordinator):
    resource = factories.ResourceFactory(name="ひまわり作業所")
    organization = resource.organization
    url = reverse("admin:directory_organization_change", args=[organization.pk])
    response = client.post(url, form_of(client.get(url), name="社会福祉法人あたらしい名前会"))
    assert response.status_code == 302, response.content
    assert found(client, q="あたらしい名前") == {resource.pk}
    assert organization.history.order_by("-history_id").first().history_user == coordinator


def test_a_category_alias_added_in_the_admin_finds_its_entries(client, coordinator):
    resource = factories.ResourceFactory(name="ひまわり作業所")
    category = resource.primary_category
    url = reverse("admin:directory_category_change", args=[category.pk])
    response = client.post(url, form_of(client.get(url), aliases=category.aliases + "\nにっちゅうかつどう"))
    assert response.status_code == 302, response.content
    assert found(client, q="ニッチュウカツドウ") == {resource.pk}


def _category(slug):
    from directory.models import Category

    return Category.objects.get(slug=slug).pk
