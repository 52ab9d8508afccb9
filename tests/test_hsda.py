"""The Open Referral HSDA 3.0 read profile at /api/hsda/: objects checked field by field against the HSDS 3.0
schemas, the Page envelope, the mapping of our rows, the filters, what stays hidden, and every bad
parameter answered with a 400 naming it.

The rows of the read-only tests are built once for their class (see tests.helpers.shared_rows)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from directory import services
from directory.choices import ResourceKind, ResourceStatus, Visibility
from directory.models import Category, Feature, Resource
from tests import factories
from tests.helpers import shared_rows

pytestmark = pytest.mark.django_db

# The namespace every published id is derived from: changing it would change every id already published.
NAMESPACE = uuid.UUID("2036b6b3-461b-4900-85b2-fe209b046dda")

# HSDS 3.0 field names and JSON types, written from openreferral/specification (branch 3.0: schema/*.json and
# the compiled schemas that nest them). "array:x" and "object:x" name the schema of what is nested; the second
# set is the schema's `required`.
S, N = "string", "number"
HSDS = {
    "service": (
        {
            "id": S, "organization_id": S, "program_id": S, "name": S, "alternate_name": S, "description": S,
            "url": S, "email": S, "status": S, "interpretation_services": S, "application_process": S,
            "fees_description": S, "wait_time": S, "fees": S, "accreditations": S,
            "eligibility_description": S, "minimum_age": N, "maximum_age": N, "assured_date": S,
            "assurer_email": S, "licenses": S, "alert": S, "last_modified": S, "phones": "array:phone",
            "schedules": "array:schedule",
            "service_areas": "array:service_area", "service_at_locations": "array:service_at_location",
            "languages": "array:language", "organization": "object:organization", "funding": "array:funding",
            "cost_options": "array:cost_option", "program": "object:program",
            "required_documents": "array:required_document", "contacts": "array:contact",
            "attributes": "array:attribute", "metadata": "array:metadata",
            # Not in 3.0: HSDS 3.1's service.capacities, which the profile adds for 定員 and 空き.
            "capacities": "array:service_capacity",
        },
        {"id", "name", "status"},
    ),
    "organization": (
        {
            "id": S, "name": S, "alternate_name": S, "description": S, "email": S, "website": S,
            "tax_status": S, "tax_id": S, "year_incorporated": N, "legal_status": S, "logo": S, "uri": S,
            "parent_organization_id": S, "funding": "array:funding", "contacts": "array:contact",
            "phones": "array:phone", "locations": "array:location", "programs": "array:program",
            "organization_identifiers": "array:organization_identifier", "attributes": "array:attribute",
            "metadata": "array:metadata", "services": "array:service",
        },
        {"id", "name", "description"},
    ),
    "organization_identifier": (
        {
            "id": S, "organization_id": S, "identifier_scheme": S, "identifier_type": S, "identifier": S,
            "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id", "identifier_type", "identifier"},
    ),
    "service_at_location": (
        {
            "id": S, "service_id": S, "location_id": S, "description": S, "contacts": "array:contact",
            "phones": "array:phone", "schedules": "array:schedule", "location": "object:location",
            "attributes": "array:attribute", "metadata": "array:metadata",
            "service": "object:service",  # service_at_location_list.json
        },
        {"id"},
    ),
    "location": (
        {
            "id": S, "location_type": S, "url": S, "organization_id": S, "name": S, "alternate_name": S,
            "description": S, "transportation": S, "latitude": N, "longitude": N, "external_identifier": S,
            "external_identifier_type": S, "languages": "array:language", "addresses": "array:address",
            "contacts": "array:contact", "accessibility": "array:accessibility", "phones": "array:phone",
            "schedules": "array:schedule", "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id", "location_type"},
    ),
    "address": (
        {
            "id": S, "location_id": S, "attention": S, "address_1": S, "address_2": S, "city": S, "region": S,
            "state_province": S, "postal_code": S, "country": S, "address_type": S,
            "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
    ),
    "accessibility": (
        {
            "id": S, "location_id": S, "description": S, "details": S, "url": S,
            "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id"},
    ),
    "phone": (
        {
            "id": S, "location_id": S, "service_id": S, "organization_id": S, "contact_id": S,
            "service_at_location_id": S, "number": S, "extension": N, "type": S, "description": S,
            "languages": "array:language", "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id", "number"},
    ),
    "schedule": (
        {
            "id": S, "service_id": S, "location_id": S, "service_at_location_id": S, "valid_from": S,
            "valid_to": S, "dtstart": S, "timezone": N, "until": S, "count": N, "wkst": S, "freq": S,
            "interval": N, "byday": S, "byweekno": S, "bymonthday": S, "byyearday": S, "description": S,
            "opens_at": S, "closes_at": S, "schedule_link": S, "attending_type": S, "notes": S,
            "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id"},
    ),
    "service_area": (
        {
            "id": S, "service_id": S, "name": S, "description": S, "extent": S, "extent_type": S, "uri": S,
            "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id"},
    ),
    "language": (
        {
            "id": S, "service_id": S, "location_id": S, "phone_id": S, "name": S, "code": S, "note": S,
            "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id"},
    ),
    "cost_option": (
        {
            "id": S, "service_id": S, "valid_from": S, "valid_to": S, "option": S, "currency": S, "amount": N,
            "amount_description": S, "attributes": "array:attribute", "metadata": "array:metadata",
        },
        {"id"},
    ),
    "attribute": (
        {
            "id": S, "link_id": S, "taxonomy_term_id": S, "link_type": S, "link_entity": S, "value": S,
            "taxonomy_term": "object:taxonomy_term", "metadata": "array:metadata",
        },
        {"id"},
    ),
    "taxonomy_term": (
        {
            "id": S, "code": S, "name": S, "description": S, "parent_id": S, "taxonomy": S,
            "taxonomy_detail": "object:taxonomy", "language": S, "taxonomy_id": S, "term_uri": S,
            "metadata": "array:metadata",
        },
        {"id", "name", "description"},
    ),
    "taxonomy": (
        {"id": S, "name": S, "description": S, "uri": S, "version": S, "metadata": "array:metadata"},
        {"id", "name", "description"},
    ),
    # HSDS 3.1 (service_capacity.json, unit.json).
    "service_capacity": (
        {
            "id": S, "service_id": S, "unit": "object:unit", "unit_id": S, "available": N, "maximum": N,
            "description": S, "updated": S,
        },
        {"id", "unit", "available", "updated"},
    ),
    "unit": (
        {
            "id": S, "name": S, "scheme": S, "identifier": S, "uri": S, "attributes": "array:attribute",
            "metadata": "array:metadata",
        },
        {"id", "name"},
    ),
}  # fmt: skip
ENUMS = {
    ("service", "status"): {"active", "inactive", "defunct", "temporarily closed"},
    ("location", "location_type"): {"physical", "postal", "virtual"},
    ("address", "address_type"): {"physical", "postal", "virtual"},
    ("schedule", "freq"): {"WEEKLY", "MONTHLY"},
}
DATES = {"assured_date", "valid_from", "valid_to", "dtstart", "until"}
DATETIMES = {"last_modified", "updated"}
PAGE = {
    "total_items": int, "total_pages": int, "page_number": int, "size": int, "first_page": bool,
    "last_page": bool, "empty": bool, "contents": list,
}  # fmt: skip


def assert_hsds(obj, schema, path="$"):
    """obj has only fields of the HSDS schema, its required ones, and values of their types and formats."""
    fields, required = HSDS[schema]
    assert isinstance(obj, dict), path
    assert set(obj) <= set(fields), f"{path}: not fields of {schema}: {set(obj) - set(fields)}"
    assert required <= set(obj), f"{path}: required fields of {schema} missing: {required - set(obj)}"
    for name, value in obj.items():
        kind, where = fields[name], f"{path}.{name}"
        if kind.startswith("array:"):
            assert isinstance(value, list), where
            for n, item in enumerate(value):
                assert_hsds(item, kind.removeprefix("array:"), f"{where}[{n}]")
        elif kind.startswith("object:"):
            assert_hsds(value, kind.removeprefix("object:"), where)
        elif kind == N:
            assert isinstance(value, int | float) and not isinstance(value, bool), where
        else:
            assert isinstance(value, str) and value, where
        if name == "id" or name.endswith("_id"):
            assert str(uuid.UUID(value)) == value, f"{where} is not a UUID"
        assert value in ENUMS.get((schema, name), [value]), where
        if name in DATES:
            date.fromisoformat(value)
        if name in DATETIMES:
            assert datetime.fromisoformat(value).tzinfo is not None, where


def assert_page(body, schema, **envelope):
    assert {name: type(value) for name, value in body.items()} == PAGE
    assert {name: body[name] for name in envelope} == envelope
    for item in body["contents"]:
        assert_hsds(item, schema)


ROW_KINDS = ["service", "location", "service_at_location", "organization", "provider", "category", "feature"]


def hsds_id(kind, pk):
    """The id the API gives a row: the resolvable kinds hold their primary key in a UUIDv8 under our
    namespace's first 48 bits; the rest are uuid5 of the namespace and "<kind>:<key>"."""
    if kind in ROW_KINDS:
        number = NAMESPACE.int >> 80 << 80 | 0x8 << 76 | (ROW_KINDS.index(kind) + 1) << 64 | 0b10 << 62 | pk
        return str(uuid.UUID(int=number))
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def get(client, path, **params):
    return client.get(f"/api/hsda/{path}", params)


def names(body):
    return [item["name"] for item in body["contents"]]


class Catalogue:
    """A group home with everything filled in, a salon without an organization, a suspended workshop far
    away, and entries that must never appear."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def rows(cls, django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            cls.build()
            yield

    @classmethod
    def build(cls):
        cls.midori = factories.OrganizationFactory(
            name="社会福祉法人みどり会",
            name_kana="みどりかい",
            address="長野県長野市大字南長野1",
            phone="026-111-2222",
            url="https://midori.example.jp/",
        )
        cls.kawa = factories.OrganizationFactory(name="株式会社かわ", name_kana="かわ")
        cls.hidden_only = factories.OrganizationFactory(name="専門職向けだけの法人", name_kana="せんもん")
        cls.home = factories.ResourceFactory(
            name="ホームサクラ",
            name_kana="",
            organization=cls.midori,
            primary_category=Category.objects.get(slug="group-home"),
            categories=[Category.objects.get(slug="short-stay")],
            features=[Feature.objects.get(slug="transport")],
            office_number="2012345678",
            postal_code="380-0001",
            address="長野県長野市大字長野1-1",
            phone="026-333-4444",
            fax="026-333-5555",
            email="sakura@example.jp",
            url="https://sakura.example.jp/",
            capacity=10,
            min_age=18,
            max_age=64,
            accepts_intellectual=True,
            min_support_level=2,
            eligibility_notes="体験利用ができます",
            languages="日本語、手話",
            accessibility_notes="段差がありません",
            closed_days="日曜",
            description="世話人が夜も常駐します。",
            fees=[
                {"kind": "public_10pct", "description": "サービス費の1割"},
                {"kind": "fixed", "amount_yen": 30000, "unit": "month", "description": "家賃"},
            ],
            hours=[
                {"day_type": "weekday", "opens": time(9), "closes": time(17)},
                {"day_type": "saturday", "opens": time(10), "closes": time(15)},
            ],
        )
        services.resource_update(resource=cls.home, service_area=[cls.home.municipality])
        cls.verified_at = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)  # 2025-04-01 01:00 in Japan
        services.resource_verify(resource=cls.home, by=factories.coordinator(), at=cls.verified_at)
        cls.vacancy = factories.VacancyFactory(resource=cls.home, places=3)
        cls.salon = factories.ResourceFactory(
            name="ふれあいサロン",
            name_kana="ふれあいさろん",
            kind=ResourceKind.INFORMAL,
            organization=None,
            primary_category=Category.objects.get(slug="salon"),
            latitude=36.70,
            longitude=138.25,
        )
        cls.far = factories.ResourceFactory(
            name="ワークセンターかわ",
            name_kana="わーくせんたーかわ",
            organization=cls.kawa,
            status=ResourceStatus.SUSPENDED,
            latitude=36.10,
            longitude=138.19,
        )
        Resource.objects.filter(pk=cls.far.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
        cls.owner = factories.service_manager(cls.midori)  # whose own private entry stays theirs
        cls.hidden = [
            factories.ResourceFactory(
                name="専門職向けの家", organization=cls.hidden_only, visibility=Visibility.PROFESSIONALS
            ),
            factories.ResourceFactory(
                name="近所のAさん", organization=cls.midori, visibility=Visibility.PRIVATE, owner=cls.owner
            ),
            factories.ResourceFactory(
                name="閉じた作業所", organization=cls.midori, status=ResourceStatus.CLOSED
            ),
        ]


class TestObjects(Catalogue):
    def test_the_root_names_hsds_3_0_its_profile_and_its_openapi_document(self, client):
        body = get(client, "").json()
        assert body == {
            "version": "3.0",
            "profile": "http://testserver/api/docs/",
            "openapi_url": "http://testserver/api/schema/",
        }
        assert client.get(body["openapi_url"], {"format": "json"}).status_code == 200

    def test_a_service_has_hsds_fields_and_types_throughout(self, client):
        response = get(client, f"services/{hsds_id('service', self.home.pk)}")
        assert response.status_code == 200
        assert_hsds(response.json(), "service")

    def test_list_items_are_hsds_objects_with_their_one_to_one_fields(self, client):
        for path, schema in [
            ("services", "service"),
            ("service_at_locations", "service_at_location"),
            ("organizations", "organization"),
            ("taxonomies", "taxonomy"),
            ("taxonomy_terms", "taxonomy_term"),
        ]:
            body = get(client, path).json()
            assert_page(body, schema)
            for item in body["contents"]:
                assert not [name for name, value in item.items() if isinstance(value, list)], path

    def test_organizations_and_taxonomy_terms_have_hsds_fields_and_types(self, client):
        for path, schema in [
            (f"organizations/{hsds_id('organization', self.midori.pk)}", "organization"),
            (f"organizations/{hsds_id('provider', self.salon.pk)}", "organization"),
            (f"taxonomies/{hsds_id('taxonomy', 'category')}", "taxonomy"),
            (f"taxonomy_terms/{hsds_id('category', self.home.primary_category_id)}", "taxonomy_term"),
        ]:
            response = get(client, path)
            assert response.status_code == 200, path
            assert_hsds(response.json(), schema)

    def test_our_rows_map_onto_hsds(self, client):
        service = get(client, f"services/{hsds_id('service', self.home.pk)}").json()
        organization = service["organization"]
        location = service["service_at_locations"][0]["location"]
        assert (service["name"], service["status"], service["url"]) == (
            "ホームサクラ",
            "active",
            "https://sakura.example.jp/",
        )
        assert organization["organization_identifiers"] == [
            {
                "id": hsds_id("organization_identifier", self.midori.pk),
                "organization_id": hsds_id("organization", self.midori.pk),
                "identifier_scheme": "JP-JCN",
                "identifier_type": "法人番号",
                "identifier": self.midori.corporate_number,
            }
        ]
        assert (location["external_identifier"], location["external_identifier_type"]) == (
            "2012345678",
            "事業所番号",
        )
        assert (location["latitude"], location["longitude"]) == (36.65, 138.19)
        assert location["addresses"][0] | {"id": None, "location_id": None} == {
            "id": None,
            "location_id": None,
            "address_1": "長野県長野市大字長野1-1",
            "city": self.home.municipality.name,
            "state_province": "長野県",
            "postal_code": "380-0001",
            "country": "JP",
            "address_type": "physical",
        }
        assert [item["description"] for item in location["accessibility"]] == ["段差がありません"]
        [capacity] = service["capacities"]
        assert (capacity["available"], capacity["maximum"], capacity["unit"]["name"]) == (3, 10, "人")
        assert datetime.fromisoformat(capacity["updated"]) == self.vacancy.as_of
        assert [
            (option["option"], option.get("currency"), option.get("amount"), option["amount_description"])
            for option in service["cost_options"]
        ] == [
            ("サービス費の1割", None, None, "公費（1割負担）"),
            ("家賃", "JPY", 30000, "定額・1か月あたり"),
        ]
        assert [
            (s.get("freq"), s.get("byday"), s["opens_at"], s["closes_at"], s["notes"])
            for s in service["schedules"]
        ] == [
            ("WEEKLY", "MO,TU,WE,TH,FR", "09:00+09:00", "17:00+09:00", "定休日: 日曜"),
            ("WEEKLY", "SA", "10:00+09:00", "15:00+09:00", "定休日: 日曜"),
        ]
        assert (service["minimum_age"], service["maximum_age"]) == (18, 64)
        assert (
            service["eligibility_description"]
            == "対象: 知的障害。障害支援区分2以上。18歳から64歳まで。体験利用ができます"
        )
        assert service["assured_date"] == "2025-04-01"
        assert service["fees_description"] == "サービス費の1割 公費（1割負担）、家賃 30,000円/1か月"
        assert [(phone["type"], phone["number"]) for phone in service["phones"]] == [
            ("voice", "026-333-4444"),
            ("fax", "026-333-5555"),
        ]
        assert [area["name"] for area in service["service_areas"]] == [self.home.municipality.full_name]
        assert [language["name"] for language in service["languages"]] == ["日本語", "手話"]

    def test_categories_and_features_are_taxonomy_terms_on_the_service(self, client):
        service = get(client, f"services/{hsds_id('service', self.home.pk)}").json()
        terms = [
            (a["link_type"], a["taxonomy_term"]["name"], a.get("value"), a["taxonomy_term"]["taxonomy_id"])
            for a in service["attributes"]
        ]
        assert terms == [
            ("service_type", "共同生活援助", "primary", hsds_id("taxonomy", "category")),
            ("service_type", "短期入所", None, hsds_id("taxonomy", "category")),
            ("feature", "送迎", None, hsds_id("taxonomy", "feature")),
        ]
        group_home = service["attributes"][0]["taxonomy_term"]
        assert group_home["parent_id"] == hsds_id(
            "category", Category.objects.get(slug="group-home").parent_id
        )
        assert all(
            a["link_id"] == service["id"] and a["link_entity"] == "service" for a in service["attributes"]
        )

    def test_ids_are_uuid5_of_the_rows_keys(self, client):
        service = get(client, f"services/{hsds_id('service', self.home.pk)}").json()
        at_location = service["service_at_locations"][0]
        assert (
            service["id"],
            at_location["id"],
            at_location["location"]["id"],
            service["organization_id"],
        ) == (
            hsds_id("service", self.home.pk),
            hsds_id("service_at_location", self.home.pk),
            hsds_id("location", self.home.pk),
            hsds_id("organization", self.midori.pk),
        )

    def test_a_resource_without_an_organization_is_its_own_provider(self, client):
        provider_id = hsds_id("provider", self.salon.pk)
        service = get(client, f"services/{hsds_id('service', self.salon.pk)}").json()
        assert service["organization_id"] == service["organization"]["id"] == provider_id
        assert service["organization"]["name"] == "ふれあいサロン"
        organization = get(client, f"organizations/{provider_id}").json()
        assert [item["name"] for item in organization["services"]] == ["ふれあいサロン"]
        assert names(get(client, "services", organization_id=provider_id).json()) == ["ふれあいサロン"]

    def test_a_suspended_entry_is_temporarily_closed_and_says_so(self, client):
        service = get(client, f"services/{hsds_id('service', self.far.pk)}").json()
        assert (service["status"], service["alert"]) == ("temporarily closed", "休止中")

    def test_the_text_is_japanese_whatever_the_language_of_the_request(self, client):
        for language in ("ja", "en"):
            home = client.get(
                f"/api/hsda/services/{hsds_id('service', self.home.pk)}", HTTP_ACCEPT_LANGUAGE=language
            )
            far = client.get(
                f"/api/hsda/services/{hsds_id('service', self.far.pk)}", HTTP_ACCEPT_LANGUAGE=language
            )
            assert home.json()["schedules"][0]["description"] == "平日: 09:00〜17:00"
            assert home.json()["eligibility_description"].startswith("対象: 知的障害。")
            assert far.json()["alert"] == "休止中"

    def test_an_organization_lists_its_public_services_only(self, client):
        organization = get(client, f"organizations/{hsds_id('organization', self.midori.pk)}").json()
        assert [item["name"] for item in organization["services"]] == ["ホームサクラ"]


class TestPages(Catalogue):
    @pytest.mark.parametrize(
        ("page", "expected"),
        [
            (1, {"page_number": 1, "size": 2, "first_page": True, "last_page": False, "empty": False}),
            (2, {"page_number": 2, "size": 1, "first_page": False, "last_page": True, "empty": False}),
            (3, {"page_number": 3, "size": 0, "first_page": False, "last_page": True, "empty": True}),
        ],
    )
    def test_the_page_envelope_counts_items_and_pages(self, client, page, expected):
        body = get(client, "services", per_page=2, page=page).json()
        assert_page(body, "service", total_items=3, total_pages=2, **expected)
        assert len(body["contents"]) == expected["size"]

    def test_pages_start_at_1_and_hold_50_by_default(self, client):
        body = get(client, "services").json()
        assert_page(body, "service", total_items=3, total_pages=1, page_number=1, size=3, first_page=True)
        # By reading: the kana, else the name (ホームサクラ has no kana), hiragana and katakana as one.
        assert names(body) == ["ふれあいサロン", "ホームサクラ", "ワークセンターかわ"]

    def test_an_empty_result_is_one_empty_page(self, client):
        body = get(client, "services", search="存在しない言葉").json()
        assert_page(
            body,
            "service",
            total_items=0,
            total_pages=0,
            page_number=1,
            size=0,
            first_page=True,
            last_page=True,
            empty=True,
        )

    def test_organizations_come_before_the_resources_that_are_their_own_provider(self, client):
        pages = [get(client, "organizations", per_page=2, page=page).json() for page in (1, 2)]
        assert [names(page) for page in pages] == [
            ["株式会社かわ", "社会福祉法人みどり会"],
            ["ふれあいサロン"],
        ]
        assert_page(pages[1], "organization", total_items=3, total_pages=2, size=1, last_page=True)

    def test_taxonomies_and_terms_are_paged_too(self, client):
        assert_page(get(client, "taxonomies").json(), "taxonomy", total_items=2, size=2)
        body = get(client, "taxonomy_terms", per_page=5, page=2).json()
        assert_page(
            body, "taxonomy_term", total_items=Category.objects.count() + Feature.objects.count(), size=5
        )


class TestFilters(Catalogue):
    def test_search_folds_hiragana_onto_katakana(self, client):
        assert names(get(client, "services", search="さくら").json()) == ["ホームサクラ"]
        assert names(get(client, "services", search="ｻｸﾗ").json()) == ["ホームサクラ"]
        at_locations = get(client, "service_at_locations", search="ほーむ").json()["contents"]
        assert [item["service"]["name"] for item in at_locations] == ["ホームサクラ"]

    def test_a_taxonomy_term_finds_what_carries_it_or_a_term_below_it(self, client):
        def found(item):
            return names(get(client, "services", taxonomy_term_id=hsds_id(*item)).json())

        group_home = Category.objects.get(slug="group-home")
        assert found(("category", group_home.pk)) == ["ホームサクラ"]
        assert found(("category", group_home.parent_id)) == ["ホームサクラ"]
        assert found(("category", Category.objects.get(slug="short-stay").pk)) == ["ホームサクラ"]
        assert found(("feature", Feature.objects.get(slug="transport").pk)) == ["ホームサクラ"]
        assert found(("category", Category.objects.get(slug="daily-life-care").pk)) == ["ワークセンターかわ"]

    def test_a_taxonomy_finds_what_carries_any_of_its_terms(self, client):
        assert names(get(client, "services", taxonomy_id=hsds_id("taxonomy", "feature")).json()) == [
            "ホームサクラ"
        ]
        assert len(names(get(client, "services", taxonomy_id=hsds_id("taxonomy", "category")).json())) == 3

    def test_organization_id_finds_what_the_organization_provides(self, client):
        found = get(client, "service_at_locations", organization_id=hsds_id("organization", self.midori.pk))
        assert [item["service"]["name"] for item in found.json()["contents"]] == ["ホームサクラ"]

    def test_modified_after_finds_what_changed_since(self, client):
        assert names(get(client, "services", modified_after="2021-01-01T00:00:00+09:00").json()) == [
            "ふれあいサロン",
            "ホームサクラ",
        ]
        assert len(names(get(client, "services", modified_after="2019-12-31T00:00").json())) == 3

    @pytest.mark.parametrize("path", ["services", "service_at_locations"])
    @pytest.mark.parametrize(
        ("value", "everything"),
        [
            ("0001-01-01", True),
            ("0001-01-01T00:00", True),
            ("0001-01-01T05:00:00+09:00", True),
            ("0001-01-01T00:00:00Z", True),
            ("9999-12-31", False),
            ("9999-12-31T23:59:59-12:00", False),
        ],
    )
    def test_modified_after_at_the_ends_of_the_calendar_is_answered(self, client, path, value, everything):
        """A bound within hours of year 1 or 9999 (a client's "since ever") cannot be moved into UTC: it
        answers as the calendar's first or last instant, not with a 500."""
        response = get(client, path, modified_after=value)
        assert response.status_code == 200, response.content
        assert response.json()["total_items"] == (3 if everything else 0)

    def test_proximity_finds_what_stands_within_the_radius_nearest_first(self, client):
        def near(meters):
            body = get(client, "service_at_locations", proximity=f"36.65,138.19,{meters}").json()
            return [item["location"]["name"] for item in body["contents"]]

        assert near(2000) == ["ホームサクラ"]
        assert near(10_000) == ["ホームサクラ", "ふれあいサロン"]  # the salon is 7.7 km away
        assert near(100_000) == ["ホームサクラ", "ふれあいサロン", "ワークセンターかわ"]

    def test_taxonomy_terms_filter_by_taxonomy_parent_top_and_text(self, client):
        group_home = Category.objects.get(slug="group-home")

        def terms(**params):
            return names(get(client, "taxonomy_terms", per_page=100, **params).json())

        assert terms(taxonomy_id=hsds_id("taxonomy", "feature")) == list(
            Feature.objects.values_list("name", flat=True)
        )
        assert "共同生活援助" in terms(parent_id=hsds_id("category", group_home.parent_id))
        assert terms(top_only="true") == list(
            Category.objects.filter(parent=None).order_by("code").values_list("name", flat=True)
        ) + list(Feature.objects.values_list("name", flat=True))
        assert "共同生活援助" in terms(search="gh")
        assert {"短期入所", "短期入所生活介護", "短期入所療養介護"} <= set(terms(search="ショートステイ"))


class TestWhatStaysHidden(Catalogue):
    def test_private_professional_and_closed_entries_never_appear(self, client):
        hidden = {resource.name for resource in self.hidden} | {"専門職向けだけの法人"}
        client.force_login(self.owner)
        for path in ("services", "service_at_locations", "organizations"):
            body = get(client, path).json()
            shown = {item.get("name") or item["service"]["name"] for item in body["contents"]}
            assert not shown & hidden, path
        assert names(
            get(client, "services", organization_id=hsds_id("organization", self.midori.pk)).json()
        ) == ["ホームサクラ"]

    @pytest.mark.parametrize("who", ["anonymous", "owner", "coordinator"])
    def test_a_hidden_entry_is_a_404_by_id_whoever_asks(self, client, who):
        if who != "anonymous":
            client.force_login(self.owner if who == "owner" else factories.coordinator())
        for resource in self.hidden:
            assert get(client, f"services/{hsds_id('service', resource.pk)}").status_code == 404
        assert get(client, f"organizations/{hsds_id('organization', self.hidden_only.pk)}").status_code == 404


UNKNOWN = uuid.UUID(int=1)
BAD_PARAMETERS = {
    "services": [
        "page=0", "page=abc", "per_page=0", "per_page=abc", "per_page=101", "per_page=100000",
        "modified_after=notadate",
        "taxonomy_term_id=not-a-uuid", f"taxonomy_term_id={UNKNOWN}", f"taxonomy_id={UNKNOWN}",
        "organization_id=12", f"organization_id={UNKNOWN}", "search=" + "あ" * 201, "full=true",
        "minimal=true",
    ],
    "service_at_locations": [
        "proximity=abc", "proximity=36.6,138.2", "proximity=95,138.2,1000", "proximity=36.6,138.2,5",
        "proximity=36.6,138.2,100001", "proximity=36.6,138.2,nan", "postcode=380-0001",
    ],
    "organizations": ["full_service=true", "per_page=-1"],
    "taxonomies": ["page=0"],
    "taxonomy_terms": ["top_only=perhaps", "parent_id=x", f"taxonomy_id={UNKNOWN}"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "query"), [(path, query) for path, queries in BAD_PARAMETERS.items() for query in queries]
)
def test_a_bad_parameter_is_a_400_naming_it(client, path, query):
    parameter = query.partition("=")[0]
    response = client.get(f"/api/hsda/{path}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert response.json()[parameter][0]


def test_bad_parameters_are_named_together(client):
    response = client.get("/api/hsda/services?page=0&proximity=x&modified_after=y")
    assert response.status_code == 400
    assert set(response.json()) == {"page", "proximity", "modified_after"}


@pytest.mark.parametrize("path", ["services", "organizations", "taxonomies", "taxonomy_terms"])
@pytest.mark.parametrize(
    "id_",
    [
        "not-a-uuid",
        str(uuid.UUID(int=1)),
        "1",
        hsds_id("service", 987654321),  # our layout, no such row
        hsds_id("service", 5).replace("-8001-", "-8099-"),  # our prefix, no such kind
    ],
)
def test_an_unknown_or_malformed_id_is_a_404(client, path, id_):
    response = client.get(f"/api/hsda/{path}/{id_}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_an_id_of_another_kind_is_a_404(client):
    resource = factories.ResourceFactory()
    assert client.get(f"/api/hsda/services/{hsds_id('location', resource.pk)}").status_code == 404
    assert client.get(f"/api/hsda/organizations/{hsds_id('service', resource.pk)}").status_code == 404


def test_a_new_entry_is_found_by_an_id_the_process_has_not_seen(client):
    first = factories.ResourceFactory(name="最初の家")
    assert client.get(f"/api/hsda/services/{hsds_id('service', first.pk)}").status_code == 200
    later = factories.ResourceFactory(name="後からの家")
    assert client.get(f"/api/hsda/services/{hsds_id('service', later.pk)}").json()["name"] == "後からの家"


def test_lists_cost_the_same_number_of_queries_for_5_and_25_rows(client, django_assert_num_queries):
    def list_all(count):
        for n in range(count):
            # every other one without an organization: the organization list reads both kinds of provider
            factories.ResourceFactory(
                fees=[{"kind": "free"}], organization=factories.OrganizationFactory() if n % 2 else None
            )
        # the COUNT, the page's rows, then one prefetch each for organization and fees
        with django_assert_num_queries(4):
            services_page = get(client, "services", per_page=100).json()
        with django_assert_num_queries(4):
            get(client, "service_at_locations", per_page=100, proximity="36.65,138.19,1000")
        # two COUNTs (organizations, resources that are their own provider), then the rows of each
        with django_assert_num_queries(4):
            get(client, "organizations", per_page=100)
        return services_page["total_items"]

    assert list_all(5) == 5
    assert list_all(20) == 25


def test_a_service_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    resource = factories.ResourceFactory(
        categories=[Category.objects.get(slug="short-stay")],
        features=[Feature.objects.get(slug="transport")],
        fees=[{"kind": "free"}],
        hours=[{"day_type": "weekday", "opens": time(9), "closes": time(17)}],
    )
    services.resource_update(resource=resource, service_area=[resource.municipality])
    # the keys of unseen ids (once per process), the row with its organization, place and vacancy, then
    # categories, features, fees, hours, service area and its prefectures
    with django_assert_max_num_queries(8):
        assert get(client, f"services/{hsds_id('service', resource.pk)}").status_code == 200


def test_the_openapi_schema_documents_the_hsda_endpoints_and_parameters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operations = {
        path: item["get"]["operationId"] for path, item in schema["paths"].items() if "/hsda/" in path
    }
    assert operations["/api/hsda/services"] == "getPaginatedListOfServices"
    assert operations["/api/hsda/services/{id}"] == "getFullyNestedServiceById"
    documented = schema["paths"]["/api/hsda/service_at_locations"]["get"]["parameters"]
    expected = {
        "search",
        "taxonomy_term_id",
        "organization_id",
        "modified_after",
        "proximity",
        "page",
        "per_page",
    }
    assert expected <= {parameter["name"] for parameter in documented}


def test_an_empty_search_is_no_search_and_the_schema_allows_it(client):
    everything = get(client, "taxonomies").json()

    assert get(client, "taxonomies", search="").json() == everything
    schema = client.get("/api/schema/", {"format": "json"}).json()
    (search,) = [
        p for p in schema["paths"]["/api/hsda/taxonomies"]["get"]["parameters"] if p["name"] == "search"
    ]
    assert "minLength" not in search["schema"]


def test_modified_after_reads_a_time_without_offset_in_japan_time(client):
    resource = factories.ResourceFactory(name="時刻の家")
    changed = timezone.localtime(Resource.objects.get(pk=resource.pk).updated_at)
    before = (changed - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    after = (changed + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert names(get(client, "services", modified_after=before).json()) == ["時刻の家"]
    assert names(get(client, "services", modified_after=after).json()) == []
