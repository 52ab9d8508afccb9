"""Rules of the catalogue a user would notice: bad values are refused with the field named, nothing is
half-saved, the database holds the same rules, each user sees only what they may, and every change is
recorded with who made it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from directory.choices import FeeKind, Visibility
from directory.models import Category, Fee, Resource, Vacancy
from directory.services import resource_create, resource_update, resource_verify, vacancy_report
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    ResourceFactory,
    UserFactory,
    coordinator,
    planner,
    service_manager,
)

pytestmark = pytest.mark.django_db

NATIONAL_TAX_AGENCY = "7000012050002"  # 国税庁's own 法人番号


def category(slug="daily-life-care"):
    return Category.objects.get(slug=slug)


def create(**fields):
    """resource_create with a complete, valid resource; `fields` override or add to it."""
    values = {
        "name": "ひだまり作業所",
        "name_kana": "ひだまりさぎょうしょ",
        "primary_category": category(),
        "municipality": MunicipalityFactory(),
        "latitude": 36.65,
        "longitude": 138.19,
        "capacity": 20,
    }
    return resource_create(**(values | fields))


def errors_of(caught):
    """{field: [messages]} of a ValidationError caught by pytest.raises."""
    return caught.value.message_dict


# --- Validation: a bad value is refused, naming the field -------------------------------------------------


def test_it_rejects_a_corporate_number_with_a_wrong_check_digit():
    organization = OrganizationFactory.build(corporate_number="8000012050002")

    with pytest.raises(ValidationError) as caught:
        organization.full_clean()

    assert list(errors_of(caught)) == ["corporate_number"]
    assert caught.value.error_dict["corporate_number"][0].code == "check_digit"


def test_it_rejects_a_corporate_number_of_twelve_digits():
    organization = OrganizationFactory.build(corporate_number="000012050002")

    with pytest.raises(ValidationError) as caught:
        organization.full_clean()

    assert list(errors_of(caught)) == ["corporate_number"]
    assert caught.value.error_dict["corporate_number"][0].code == "format"


def test_it_accepts_the_real_corporate_number_of_the_national_tax_agency():
    organization = OrganizationFactory.build(corporate_number=NATIONAL_TAX_AGENCY)

    organization.full_clean()
    organization.save()

    assert organization.corporate_number == NATIONAL_TAX_AGENCY


def test_it_rejects_a_latitude_of_95_and_saves_nothing():
    with pytest.raises(ValidationError) as caught:
        create(latitude=95)

    assert list(errors_of(caught)) == ["latitude"]
    assert not Resource.objects.exists()


def test_it_rejects_a_latitude_without_a_longitude():
    with pytest.raises(ValidationError) as caught:
        create(longitude=None)

    assert "緯度と経度は両方入力するか、両方空欄にしてください。" in errors_of(caught)[NON_FIELD_ERRORS]


def test_it_rejects_a_negative_capacity():
    with pytest.raises(ValidationError) as caught:
        create(capacity=-1)

    assert list(errors_of(caught)) == ["capacity"]


def test_it_rejects_an_office_number_of_nine_digits():
    with pytest.raises(ValidationError) as caught:
        create(office_number="201234567")

    assert list(errors_of(caught)) == ["office_number"]


def test_it_rejects_a_minimum_age_above_the_maximum_age():
    with pytest.raises(ValidationError) as caught:
        create(min_age=18, max_age=6)

    assert errors_of(caught) == {"max_age": ["対象年齢の下限は上限以下にしてください。"]}


def test_it_rejects_a_private_resource_without_an_owner():
    with pytest.raises(ValidationError) as caught:
        create(visibility=Visibility.PRIVATE, kind="informal", primary_category=category("family"))

    assert errors_of(caught)[NON_FIELD_ERRORS] == ["非公開の資源には登録者が必要です。"]


@pytest.mark.parametrize("author", ["planner", "manager of another organization", "coordinator"])
def test_a_private_entry_cannot_stand_under_an_organization_its_owner_does_not_belong_to(author):
    organization = OrganizationFactory()
    by = {
        "planner": planner,
        "manager of another organization": lambda: service_manager(OrganizationFactory()),
        "coordinator": coordinator,
    }[author]()
    fields = {"name": "近所のAさん", "visibility": Visibility.PRIVATE, "primary_category": category("family")}
    with pytest.raises(ValidationError) as caught:
        resource_create(by=by, organization=organization, **fields)
    assert list(errors_of(caught)) == ["organization"]
    assert not Resource.objects.filter(name="近所のAさん").exists()
    # under no organization it is theirs alone, as before; moving it under the organization is refused
    entry = resource_create(by=by, **fields)
    with pytest.raises(ValidationError) as caught:
        resource_update(resource=entry, by=by, organization=organization)
    assert list(errors_of(caught)) == ["organization"]
    entry.refresh_from_db()
    assert entry.organization is None


def test_a_manager_may_keep_a_private_entry_under_their_own_organization():
    organization = OrganizationFactory()
    manager = service_manager(organization)
    entry = resource_create(
        by=manager,
        name="法人内の覚え書き",
        visibility=Visibility.PRIVATE,
        organization=organization,
        primary_category=category("family"),
    )
    assert (entry.owner, entry.organization) == (manager, organization)


def test_it_rejects_an_update_that_breaks_a_rule_and_keeps_the_old_values():
    resource = create()

    with pytest.raises(ValidationError) as caught:
        resource_update(resource=resource, capacity=-1, name="新しい名前")

    assert list(errors_of(caught)) == ["capacity"]
    stored = Resource.objects.get(pk=resource.pk)
    assert (stored.capacity, stored.name) == (20, "ひだまり作業所")


def test_it_refuses_an_unknown_field_in_an_update():
    resource = create()

    with pytest.raises(TypeError, match="capacty"):
        resource_update(resource=resource, capacty=10)


# --- 事業所番号 and 多機能型 ----------------------------------------------------------------------------


def test_it_rejects_the_same_office_number_twice_under_the_same_service_type():
    create(office_number="2012345678")

    with pytest.raises(ValidationError) as caught:
        create(office_number="2012345678", name="ひだまり作業所 第二")

    assert errors_of(caught)[NON_FIELD_ERRORS] == [
        "この事業所番号とサービス種別の組み合わせは既に登録されています。"
    ]
    assert Resource.objects.count() == 1


def test_it_accepts_one_office_number_under_two_service_types_as_a_multifunctional_office():
    create(office_number="2012345678", primary_category=category("daily-life-care"))
    create(office_number="2012345678", primary_category=category("employment-b"))

    assert Resource.objects.filter(office_number="2012345678").count() == 2


def test_resources_without_an_office_number_do_not_collide():
    create(office_number="")
    create(office_number="")

    assert Resource.objects.count() == 2


# --- Nothing half-saved --------------------------------------------------------------------------------


def test_a_valid_resource_with_an_invalid_fee_line_leaves_no_resource_behind():
    with pytest.raises(ValidationError) as caught:
        create(fees=[{"kind": FeeKind.PUBLIC_10_PERCENT}, {"kind": FeeKind.FIXED, "description": "食費"}])

    assert "定額の負担には金額が必要です。" in caught.value.messages
    assert not Resource.objects.exists()
    assert not Fee.objects.exists()


def test_an_invalid_fee_line_in_an_update_keeps_the_old_fee_lines():
    resource = create(fees=[{"kind": FeeKind.FIXED, "amount_yen": 500, "unit": "day", "description": "食費"}])

    with pytest.raises(ValidationError):
        resource_update(resource=resource, name="改名", fees=[{"kind": FeeKind.FREE, "amount_yen": 300}])

    assert list(Fee.objects.filter(resource=resource).values_list("description", "amount_yen")) == [
        ("食費", 500)
    ]
    assert Resource.objects.get(pk=resource.pk).name == "ひだまり作業所"


# --- The database holds the rules too --------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"latitude": 95}, id="latitude-95"),
        pytest.param({"longitude": -181}, id="longitude-minus-181"),
        pytest.param({"longitude": None}, id="latitude-without-longitude"),
        pytest.param({"capacity": -1}, id="negative-capacity"),
        pytest.param({"min_support_level": 7}, id="support-level-7"),
        pytest.param({"min_age": 18, "max_age": 6}, id="ages-reversed"),
        pytest.param({"visibility": Visibility.PRIVATE, "owner": None}, id="private-without-owner"),
    ],
)
def test_the_database_refuses_a_raw_update_that_breaks_a_constraint(values):
    resource = ResourceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(**values)

    assert Resource.objects.filter(pk=resource.pk, **values).count() == 0


def test_the_database_refuses_the_same_office_number_twice_under_one_service_type():
    first = ResourceFactory(office_number="2012345678")

    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(
            name="別の名前", primary_category=first.primary_category, office_number="2012345678"
        )


def test_the_database_refuses_a_fixed_fee_without_an_amount():
    resource = ResourceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Fee.objects.create(resource=resource, kind=FeeKind.FIXED)


# --- Who sees what -------------------------------------------------------------------------------------


@pytest.fixture
def three_visibilities():
    owner = planner()
    public = ResourceFactory(name="公開の資源", visibility=Visibility.PUBLIC)
    professionals = ResourceFactory(name="専門職向けの資源", visibility=Visibility.PROFESSIONALS)
    private = ResourceFactory(
        name="となりのおばあさん",
        kind="informal",
        primary_category=category("friends-neighbours"),
        organization=None,
        visibility=Visibility.PRIVATE,
        owner=owner,
    )
    return owner, public, professionals, private


def visible_names(user):
    return set(Resource.objects.visible_to(user).values_list("name", flat=True))


def test_an_anonymous_visitor_sees_only_public_resources(three_visibilities):
    assert visible_names(AnonymousUser()) == {"公開の資源"}


def test_a_signed_in_user_without_a_role_sees_only_public_resources(three_visibilities):
    assert visible_names(UserFactory()) == {"公開の資源"}


def test_a_planner_sees_public_and_professional_resources_but_not_another_planners_private_one(
    three_visibilities,
):
    assert visible_names(planner()) == {"公開の資源", "専門職向けの資源"}


def test_the_owner_of_a_private_resource_sees_it_with_the_public_and_professional_ones(three_visibilities):
    owner, *_ = three_visibilities

    assert visible_names(owner) == {"公開の資源", "専門職向けの資源", "となりのおばあさん"}


# --- History: who changed what, from what to what -------------------------------------------------------


def test_an_update_records_who_made_it_with_the_old_and_the_new_values():
    editor = planner()
    resource = create(capacity=20)

    resource_update(resource=resource, by=editor, capacity=25)

    latest, previous = resource.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_user == editor
    assert latest.history_type == "~"
    assert (previous.capacity, latest.capacity) == (20, 25)
    changes = {change.field: (change.old, change.new) for change in latest.diff_against(previous).changes}
    assert changes["capacity"] == (20, 25)


def test_creating_a_resource_records_who_created_it():
    author = planner()

    resource = create(by=author)

    first = resource.history.earliest("history_date")
    assert first.history_type == "+"
    assert first.history_user == author


def test_a_vacancy_report_is_recorded_with_who_reported_it_and_when():
    reporter = UserFactory()
    resource = ResourceFactory()
    as_of = timezone.now() - timedelta(days=1)

    vacancy = vacancy_report(resource=resource, by=reporter, places=3, as_of=as_of, note="火曜と木曜")

    assert (vacancy.reported_by, vacancy.as_of, vacancy.places) == (reporter, as_of, 3)
    record = Vacancy.history.get(id=vacancy.pk)
    assert record.history_user == reporter
    assert record.places == 3
    assert resource.latest_vacancy == vacancy


def test_a_vacancy_report_with_an_unknown_weekday_is_refused():
    with pytest.raises(ValidationError) as caught:
        vacancy_report(
            resource=ResourceFactory(), by=UserFactory(), places=1, places_by_weekday={"mon": 1, "xyz": 2}
        )

    assert list(errors_of(caught)) == ["places_by_weekday"]
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize(
    "as_of",
    [
        datetime(9999, 12, 31, tzinfo=UTC),
        datetime(774, 5, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 14, 59, tzinfo=UTC),  # 23:59 on 31 December 1999 in Japan
        "a day and an hour ahead",
    ],
)
def test_a_vacancy_report_dated_ahead_or_before_2000_is_refused_naming_as_of(as_of):
    if as_of == "a day and an hour ahead":
        as_of = timezone.now() + timedelta(days=1, hours=1)
    resource = ResourceFactory()
    with pytest.raises(ValidationError) as caught:
        vacancy_report(resource=resource, by=UserFactory(), places=1, as_of=as_of)
    assert list(errors_of(caught)) == ["as_of"]
    assert not Vacancy.objects.exists()
    resource.refresh_from_db()
    assert resource.latest_vacancy is None


def test_a_vacancy_report_may_be_dated_from_2000_to_a_day_ahead():
    resource = ResourceFactory()
    for as_of in (datetime(1999, 12, 31, 15, tzinfo=UTC), timezone.now() + timedelta(hours=23)):
        vacancy_report(resource=resource, by=UserFactory(), places=1, as_of=as_of)
    assert resource.vacancies.count() == 2


# --- 確認日 (verified_at) is not 更新日時 (updated_at) --------------------------------------------------


def test_verifying_sets_verified_at_and_verified_by_and_records_who_verified():
    coordinator = planner()
    resource = create()
    at = timezone.now() - timedelta(days=3)

    resource_verify(resource=resource, by=coordinator, at=at)

    stored = Resource.objects.get(pk=resource.pk)
    assert stored.verified_at == at
    assert stored.verified_by == coordinator
    assert resource.history.order_by("-history_date", "-history_id").first().history_user == coordinator


def test_the_verification_date_is_kept_apart_from_the_edit_time():
    resource = create()
    at = timezone.now() - timedelta(days=3)

    resource_verify(resource=resource, by=planner(), at=at)

    stored = Resource.objects.get(pk=resource.pk)
    assert stored.verified_at == at
    assert stored.updated_at != stored.verified_at
    assert stored.updated_at > at


def test_an_edit_does_not_count_as_a_verification():
    resource = create()

    resource_update(resource=resource, by=planner(), capacity=30)

    stored = Resource.objects.get(pk=resource.pk)
    assert stored.verified_at is None
    assert stored.verified_by is None
    assert Resource.objects.unverified_for(days=365).filter(pk=resource.pk).exists()


def test_verifying_does_not_count_as_an_edit():
    resource = create()
    edited_at = Resource.objects.get(pk=resource.pk).updated_at

    resource_verify(resource=resource, by=planner())

    assert Resource.objects.get(pk=resource.pk).updated_at == edited_at


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"kind": FeeKind.PUBLIC_10_PERCENT}, "公費（1割負担）"),
        ({"kind": FeeKind.FREE}, "無料"),
        (
            {"kind": FeeKind.FIXED, "amount_yen": 3000, "unit": "month", "description": "食費"},
            "食費 3,000円/1か月",
        ),
        ({"kind": FeeKind.ACTUAL, "description": "材料費"}, "材料費 実費"),
    ],
)
def test_a_fee_line_reads_as_a_person_would_say_it(fields, shown):
    assert str(Fee(**fields)) == shown
