"""factory_boy factories for the catalogue; Faker speaks ja_JP."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from faker import Faker

from directory import roles, services
from directory.choices import Visibility
from directory.models import Category, Membership, Municipality, Organization, Prefecture, Resource, Vacancy
from directory.validators import corporate_number_check_digit, local_government_check_digit

fake = Faker("ja_JP")


def corporate_number(n: int) -> str:
    base = f"{n:012d}"
    return corporate_number_check_digit(base) + base


def municipality_code(prefecture_code: str, n: int) -> str:
    first_five = f"{prefecture_code}{n:03d}"
    return first_five + local_government_check_digit(first_five)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-for-tests")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


def planner(**kwargs):
    return UserFactory(role=roles.PLANNER, **kwargs)


def coordinator(**kwargs):
    return UserFactory(role=roles.COORDINATOR, **kwargs)


def service_manager(organization, **kwargs):
    user = UserFactory(role=roles.SERVICE_MANAGER, **kwargs)
    Membership.objects.create(user=user, organization=organization)
    return user


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ["code"]

    code = "20"
    name = "長野県"
    name_kana = "ながのけん"
    latitude = 36.651
    longitude = 138.181


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    prefecture = factory.SubFactory(PrefectureFactory)
    # 700–999 stay clear of 長野県's real codes (the demo loads some); the sequence wraps, since one
    # test never makes 300 municipalities but a worker's whole run does.
    code = factory.Sequence(lambda n: municipality_code("20", 700 + n % 300))
    name = factory.Sequence(lambda n: f"テスト{n}町")
    name_kana = factory.Sequence(lambda n: f"てすと{n}まち")
    latitude = 36.65
    longitude = 138.19


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.LazyFunction(lambda: f"社会福祉法人{fake.last_name()}会")
    name_kana = "しゃかいふくしほうじん"
    corporate_number = factory.Sequence(lambda n: corporate_number(100000 + n))


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    name = factory.LazyFunction(lambda: f"{fake.town()}{fake.random_element(['の家', '作業所', 'センター'])}")
    name_kana = "てすと"
    visibility = Visibility.PUBLIC
    # A private entry (a neighbour, a relative) stands under no organization unless given one its owner
    # belongs to.
    organization = factory.Maybe(
        factory.LazyAttribute(lambda resource: resource.visibility == Visibility.PRIVATE),
        yes_declaration=None,
        no_declaration=factory.SubFactory(OrganizationFactory),
    )
    primary_category = factory.LazyFunction(lambda: Category.objects.get(slug="daily-life-care"))
    municipality = factory.SubFactory(MunicipalityFactory)
    address = factory.LazyFunction(fake.street_address)
    latitude = 36.65
    longitude = 138.19
    capacity = 20

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the service layer, as every write: validated, with history and search text."""
        return services.resource_create(**kwargs)


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    resource = factory.SubFactory(ResourceFactory)
    places = 2
    reported_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, reported_by, **kwargs):
        return services.vacancy_report(by=reported_by, **kwargs)


# ---------------------------------------------------------------- plans


def plan(*, owner=None, **fields):
    """A plan written through plans.services, with a few invented, sensible defaults."""
    from plans import services as plan_services

    values = {
        "person_name": "A・T",
        "birth_year": 1995,
        "municipality": MunicipalityFactory(),
        "income_bracket": "general1",
        "disability_groups": ["intellectual"],
        "support_level": 4,
    }
    values.update(fields)
    return plan_services.plan_create(by=owner or planner(), **values)


def plan_line(plan_, **fields):
    from plans import services as plan_services

    values = {"need": "日中、仲間と働きたい", "category": Category.objects.get(slug="employment-b")}
    values.update(fields)
    return plan_services.plan_line_add(plan=plan_, by=plan_.owner, **values)
