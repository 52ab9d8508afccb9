"""The catalogue as Open Referral HSDS 3.0 objects: the one mapping, read by the HSDA API (api/hsda/) and by
the data-package export (`export_catalogue --format hsds`).

- A Resource is one HSDS service, delivered at one location through one service_at_location; the three
  ids come from the resource's key under different names.
- An Organization (法人) is an HSDS organization, its 法人番号 an organization_identifier in the org-id.guide
  scheme JP-JCN. A resource without one (a salon, a family group, a neighbour's help) is its own provider:
  it gets an organization of its own, named after it. HSDS wants every service to name the organization
  that provides it, and such a group provides itself; one shared "unknown" organization would tie
  unrelated groups together.
- Ids are UUIDs, as HSDS 3.0 requires, made from our keys so they stay the same across runs, exports and
  machines: those the API resolves (services, organizations, taxonomy terms …) hold their row's primary key
  (see `hsds_id`), the others are uuid5 of a fixed namespace and "<kind>:<key>".
- Only public entries that are not closed are published (`listed_resources`): never an entry for
  professionals or a private one, whoever asks.
- Capacity and vacancy go in `capacities`, the service_capacity objects of HSDS 3.1 (a backwards-compatible
  addition: 3.0 has no place for them and its readers pass over a property they do not know). 3.1
  requires `available` and `updated`, so a capacity is published with a vacancy report only.
- Properties without a value are left out rather than set to null, so every value present has the type
  the schema names. Composed text is Japanese, the catalogue's language, whatever the request's language.
"""

import functools
import re
import uuid

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from directory.choices import DayType, FeeKind, FeeUnit, ResourceStatus
from directory.models import Category, Feature, Organization, Resource

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("2036b6b3-461b-4900-85b2-fe209b046dda")
# Ids the API resolves carry their row: a UUIDv8 (RFC 9562's custom layout) holding NAMESPACE's first 48
# bits, the kind's number and the primary key, so an id is read back without a lookup table. The objects
# nested inside them (schedules, phones, cost options …) have uuid5 ids of their keys.
ROW_KINDS = ("service", "location", "service_at_location", "organization", "provider", "category", "feature")
ID_PREFIX = NAMESPACE.int >> 80
PK_BITS = 62


@functools.lru_cache(maxsize=4096)  # the ids services share: organizations, taxonomy terms
def hsds_id(kind, key) -> str:
    if kind in ROW_KINDS:
        code = ROW_KINDS.index(kind) + 1
        return str(uuid.UUID(int=ID_PREFIX << 80 | 0x8 << 76 | code << 64 | 0b10 << PK_BITS | key))
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def row_of(value, *kinds) -> tuple[str | None, int | None]:
    """(kind, primary key) of an id hsds_id made for one of `kinds`; (None, None) for any other value."""
    try:
        number = uuid.UUID(str(value)).int
    except ValueError:
        return None, None
    code = (number >> 64) & 0xFFF
    if number >> 76 != ID_PREFIX << 4 | 0x8 or (number >> PK_BITS) & 0b11 != 0b10:
        return None, None
    kind = ROW_KINDS[code - 1] if 1 <= code <= len(ROW_KINDS) else None
    return (kind, number & (1 << PK_BITS) - 1) if kind in kinds else (None, None)


CORPORATE_NUMBER_SCHEME = "JP-JCN"  # org-id.guide: National Tax Agency Corporate Number Publication Site
OFFICE_NUMBER_TYPE = "事業所番号"
CURRENCY = "JPY"
SERVICE_STATUS = {
    ResourceStatus.ACTIVE: "active",
    ResourceStatus.NOT_ACCEPTING: "active",  # still running; the alert says it takes nobody new
    ResourceStatus.SUSPENDED: "temporarily closed",
    ResourceStatus.CLOSED: "defunct",
}
DAY_ORDER = {day_type: position for position, day_type in enumerate(DayType)}
WEEKLY_DAYS = {DayType.WEEKDAY: "MO,TU,WE,TH,FR", DayType.SATURDAY: "SA", DayType.SUNDAY: "SU"}
LANGUAGE_SEPARATORS = re.compile(r"[、,，/／・\s]+")
CATEGORY, FEATURE = "category", "feature"
TAXONOMIES = {
    CATEGORY: (
        "地域資源マップ サービス種別",
        "障害福祉サービス、地域生活支援事業、医療・行政の窓口、インフォーマルな支えの種類。階層のある、"
        "このカタログ独自の分類です。",
    ),
    FEATURE: ("地域資源マップ 対応可能なこと", "送迎、入浴、医療的ケアなど、社会資源が対応できること。"),
}
CAPACITY_UNIT = {"id": hsds_id("unit", "person"), "name": "人"}
# Related rows the mappings read, fetched per page or chunk rather than per row.
SUMMARY_PREFETCH = ("organization", "fees")
FULL_JOINS = ("organization", "municipality__prefecture", "latest_vacancy", "primary_category")
FULL_PREFETCH = ("categories", "features", "fees", "hours", "service_area__prefecture")


def _in_japanese(function):
    @functools.wraps(function)
    def in_japanese(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return in_japanese


@functools.cache
def _label(choice) -> str:
    """A choice's label in the catalogue's language (get_FOO_display costs ten times more)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(choice.label)


def _compact(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if value is not None and value != ""}


def _sentences(*parts) -> str:
    """The parts that say something, as one line of Japanese sentences."""
    return "。".join(str(part) for part in parts if part)


# ---------------------------------------------------------------- what is published


def listed_resources():
    """The entries HSDS publishes: public and not closed."""
    return Resource.objects.public().open()


def for_summaries(resources):
    return resources.prefetch_related(*SUMMARY_PREFETCH)


def for_full(resources):
    return resources.select_related(*FULL_JOINS).prefetch_related(*FULL_PREFETCH)


def providers_of(resources):
    """The organizations of the resources, and the resources that have none (each their own provider),
    both in reading order."""
    organization_ids = resources.order_by().exclude(organization=None).values("organization_id")
    organizations = Organization.objects.filter(pk__in=organization_ids).order_by("name_kana", "name", "pk")
    return organizations, resources.filter(organization=None).order_by("reading", "name", "pk")


# ---------------------------------------------------------------- ids back to rows


def find_service(value):
    _kind, pk = row_of(value, "service")
    return None if pk is None else for_full(listed_resources()).filter(pk=pk).first()


def find_organization(value):
    """The listed Organization, or the listed resource that is its own provider, this id names."""
    kind, pk = row_of(value, "organization", "provider")
    if kind == "organization":
        return Organization.objects.filter(pk=pk, resources__in=listed_resources()).first()
    return None if pk is None else listed_resources().filter(pk=pk, organization=None).first()


def organization_condition(value) -> Q | None:
    """Which resources the organization this id names provides; None when it names none."""
    kind, pk = row_of(value, "organization", "provider")
    if kind == "organization":
        return Q(organization_id=pk)
    return None if pk is None else Q(pk=pk, organization=None)


def find_taxonomy_term(value):
    """The Category or Feature this taxonomy term id names."""
    kind, pk = row_of(value, CATEGORY, FEATURE)
    return None if pk is None else {CATEGORY: Category, FEATURE: Feature}[kind].objects.filter(pk=pk).first()


def find_taxonomy(value) -> dict | None:
    try:
        value = str(uuid.UUID(str(value)))
    except ValueError:
        return None
    return next((item for item in taxonomies() if item["id"] == value), None)


def taxonomy_condition(taxonomy) -> Q:
    """The resources that carry a term of the taxonomy: all of them have a category."""
    if taxonomy["id"] == taxonomy_id(FEATURE):
        return Q(pk__in=Resource.features.through.objects.values("resource_id"))
    return Q()


# ---------------------------------------------------------------- taxonomies


def taxonomy_id(kind) -> str:
    return hsds_id("taxonomy", kind)


def taxonomy(kind) -> dict:
    name, description = TAXONOMIES[kind]
    return {"id": taxonomy_id(kind), "name": name, "description": description}


def taxonomies() -> list[dict]:
    return [taxonomy(kind) for kind in TAXONOMIES]


def _term(kind, item, code, parent_id=None, aliases=()) -> dict:
    description = _sentences(
        item.name_en and f"英語名: {item.name_en}", aliases and "別名: " + "、".join(aliases)
    )
    return _compact(
        {
            "id": hsds_id(kind, item.pk),
            "code": code,
            "name": item.name,
            "description": description or item.name,
            "parent_id": parent_id,
            "taxonomy": TAXONOMIES[kind][0],
            "taxonomy_id": taxonomy_id(kind),
            "taxonomy_detail": taxonomy(kind),
            "language": "ja",
        }
    )


def category_term(category) -> dict:
    parent_id = None if category.parent_id is None else hsds_id(CATEGORY, category.parent_id)
    return _term(CATEGORY, category, category.code, parent_id, category.alias_list)


def feature_term(feature) -> dict:
    return _term(FEATURE, feature, feature.slug)


def taxonomy_term(item) -> dict:
    return category_term(item) if isinstance(item, Category) else feature_term(item)


def taxonomy_terms() -> list[dict]:
    """Every term: the category tree (by code), then the features."""
    return [*map(category_term, Category.objects.order_by("code")), *map(feature_term, Feature.objects.all())]


# ---------------------------------------------------------------- organizations


def organization_id(resource) -> str:
    if resource.organization_id is None:
        return hsds_id("provider", resource.pk)
    return hsds_id("organization", resource.organization_id)


def organization_summary(provider) -> dict:
    """The one-to-one fields of an Organization, or of the organization a resource without one stands for."""
    if isinstance(provider, Resource):
        return _compact(
            {
                "id": organization_id(provider),
                "name": provider.name,
                "alternate_name": provider.name_kana,
                "description": "法人として登録されていない社会資源です。HSDS ではサービスごとに提供する組織が"
                "必要なため、この資源そのものを提供組織として表しています。",
            }
        )
    description = _sentences(
        provider.address and f"所在地: {provider.address}",
        provider.corporate_number and f"法人番号: {provider.corporate_number}",
    )
    return _compact(
        {
            "id": hsds_id("organization", provider.pk),
            "name": provider.name,
            "alternate_name": provider.name_kana,
            "description": description or provider.name,
            "website": provider.url,
        }
    )


def _organization_nested(provider) -> dict:
    """An organization with its identifiers and phone, as a service embeds it."""
    summary = organization_summary(provider)
    if isinstance(provider, Resource):
        return summary
    identifiers = []
    if provider.corporate_number:
        identifiers.append(
            {
                "id": hsds_id("organization_identifier", provider.pk),
                "organization_id": summary["id"],
                "identifier_scheme": CORPORATE_NUMBER_SCHEME,
                "identifier_type": "法人番号",
                "identifier": provider.corporate_number,
            }
        )
    return {
        **summary,
        "organization_identifiers": identifiers,
        "phones": _phones(
            "organization-phone", provider.pk, provider.phone, "voice", organization_id=summary["id"]
        ),
    }


@_in_japanese
def organization(provider) -> dict:
    """A fully nested organization (compiled organization.json) with the summaries of its listed services."""
    services = listed_resources()
    if isinstance(provider, Resource):
        services = services.filter(pk=provider.pk)
    else:
        services = services.filter(organization=provider)
    return {
        **_organization_nested(provider),
        "services": [service_summary(s) for s in for_summaries(services)],
    }


# ---------------------------------------------------------------- services, locations


def _phones(kind, key, number, phone_type, **link) -> list[dict]:
    return [{"id": hsds_id(kind, key), **link, "number": number, "type": phone_type}] if number else []


def _local_date(moment):
    return None if moment is None else timezone.localtime(moment).date().isoformat()


def _clock(value):
    """HH:MM with the UTC offset of the catalogue's time zone, as HSDS asks of opening times."""
    if value is None:
        return None
    offset = timezone.localtime().strftime("%z")
    return f"{value:%H:%M}{offset[:3]}:{offset[3:]}"


def _eligibility(resource) -> str:
    groups = "、".join(_label(group) for group in resource.disability_groups)
    low, high = resource.min_age, resource.max_age
    ages = {
        (True, True): f"{low}歳から{high}歳まで",
        (True, False): f"{low}歳以上",
        (False, True): f"{high}歳以下",
    }.get((low is not None, high is not None))
    return _sentences(
        groups and f"対象: {groups}",
        resource.min_support_level and f"障害支援区分{resource.min_support_level}以上",
        ages,
        resource.eligibility_notes,
    )


@_in_japanese
def service_summary(resource) -> dict:
    """A service's one-to-one fields and its organization (compiled service_list.json)."""
    status = ResourceStatus(resource.status)
    provider = resource.organization or resource
    return _compact(
        {
            "id": hsds_id("service", resource.pk),
            "organization_id": organization_id(resource),
            "name": resource.name,
            "alternate_name": resource.name_kana,
            "description": resource.description,
            "url": resource.url,
            "email": resource.email,
            "status": SERVICE_STATUS[status],
            "fees_description": "、".join(str(fee) for fee in resource.fees.all()),
            "eligibility_description": _eligibility(resource),
            "minimum_age": resource.min_age,
            "maximum_age": resource.max_age,
            "assured_date": _local_date(resource.verified_at),
            "alert": None if status == ResourceStatus.ACTIVE else _label(status),
            "last_modified": resource.updated_at.isoformat(),
            "organization": organization_summary(provider),
        }
    )


def location_summary(resource) -> dict:
    """The one-to-one fields of the place a resource stands at; its 事業所番号 is the external identifier."""
    return _compact(
        {
            "id": hsds_id("location", resource.pk),
            "location_type": "physical",
            "organization_id": organization_id(resource),
            "name": resource.name,
            "alternate_name": resource.name_kana,
            "latitude": resource.latitude,
            "longitude": resource.longitude,
            "external_identifier": resource.office_number,
            "external_identifier_type": OFFICE_NUMBER_TYPE if resource.office_number else None,
        }
    )


def _location(resource) -> dict:
    location = location_summary(resource)
    municipality = resource.municipality
    addresses = []
    if resource.address:
        addresses.append(
            _compact(
                {
                    "id": hsds_id("address", resource.pk),
                    "location_id": location["id"],
                    "address_1": resource.address,
                    "city": municipality and municipality.name,
                    "state_province": municipality and municipality.prefecture.name,
                    "postal_code": resource.postal_code,
                    "country": "JP",
                    "address_type": "physical",
                }
            )
        )
    accessibility = []
    if resource.accessibility_notes:
        accessibility.append(
            {
                "id": hsds_id("accessibility", resource.pk),
                "location_id": location["id"],
                "description": resource.accessibility_notes,
            }
        )
    return {**location, "addresses": addresses, "accessibility": accessibility}


def _at_location(resource, **nested) -> dict:
    return {
        "id": hsds_id("service_at_location", resource.pk),
        "service_id": hsds_id("service", resource.pk),
        "location_id": hsds_id("location", resource.pk),
        **nested,
    }


def service_at_location_summary(resource) -> dict:
    """A service at its location, each with its one-to-one fields (compiled service_at_location_list.json)."""
    return _at_location(resource, location=location_summary(resource), service=service_summary(resource))


def _schedules(resource, service_id) -> list[dict]:
    notes = _sentences(resource.closed_days and f"定休日: {resource.closed_days}", resource.hours_note)
    schedules = []
    for hours in sorted(resource.hours.all(), key=lambda hours: DAY_ORDER[hours.day_type]):
        byday = WEEKLY_DAYS.get(hours.day_type)
        schedules.append(
            _compact(
                {
                    "id": hsds_id("schedule", f"{resource.pk}:{hours.day_type}"),
                    "service_id": service_id,
                    "freq": byday and "WEEKLY",
                    "byday": byday,
                    "opens_at": _clock(hours.opens),
                    "closes_at": _clock(hours.closes),
                    "description": f"{_label(DayType(hours.day_type))}: {hours.display_times()}",
                    "notes": notes,
                }
            )
        )
    if not schedules and notes:
        schedules.append(
            {"id": hsds_id("schedule", resource.pk), "service_id": service_id, "description": notes}
        )
    return schedules


def _cost_options(resource, service_id) -> list[dict]:
    options = []
    for number, fee in enumerate(resource.fees.all(), start=1):
        amount = 0 if fee.kind == FeeKind.FREE else fee.amount_yen
        kind = _label(FeeKind(fee.kind))
        options.append(
            _compact(
                {
                    "id": hsds_id("cost_option", f"{resource.pk}:{number}"),
                    "service_id": service_id,
                    "option": fee.description or kind,
                    "currency": None if amount is None else CURRENCY,
                    "amount": amount,
                    "amount_description": f"{kind}・{_label(FeeUnit(fee.unit))}あたり" if fee.unit else kind,
                }
            )
        )
    return options


def _attributes(resource, service_id) -> list[dict]:
    """Categories (the primary one first, valued "primary") and features, as taxonomy terms on the service."""
    secondary = [
        category for category in resource.categories.all() if category.pk != resource.primary_category_id
    ]
    tagged = [
        ("service_type", category_term(resource.primary_category), "primary"),
        *(("service_type", category_term(category), None) for category in secondary),
        *(("feature", feature_term(feature), None) for feature in resource.features.all()),
    ]
    return [
        _compact(
            {
                "id": hsds_id("attribute", f"{resource.pk}:{term['id']}"),
                "link_id": service_id,
                "link_type": link_type,
                "link_entity": "service",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
                "value": value,
            }
        )
        for link_type, term, value in tagged
    ]


def _capacities(resource, service_id) -> list[dict]:
    vacancy = resource.latest_vacancy
    if vacancy is None or not vacancy.is_fresh():  # a stale report's number is not given as current
        return []
    maximum = resource.capacity
    return [
        _compact(
            {
                "id": hsds_id("service_capacity", resource.pk),
                "service_id": service_id,
                "unit_id": CAPACITY_UNIT["id"],
                "unit": CAPACITY_UNIT,
                "available": vacancy.places,
                "maximum": maximum,
                "description": _sentences(maximum is not None and f"定員{maximum}人", "空きは報告時点の数"),
                "updated": vacancy.as_of.isoformat(),
            }
        )
    ]


def _service_areas(resource, service_id) -> list[dict]:
    return [
        {
            "id": hsds_id("service_area", f"{resource.pk}:{municipality.pk}"),
            "service_id": service_id,
            "name": municipality.full_name,
            "description": f"全国地方公共団体コード: {municipality.code}",
        }
        for municipality in resource.service_area.all()
    ]


def _languages(resource, service_id) -> list[dict]:
    names = [name for name in LANGUAGE_SEPARATORS.split(resource.languages) if name]
    return [
        {"id": hsds_id("language", f"{resource.pk}:{name}"), "service_id": service_id, "name": name}
        for name in dict.fromkeys(names)
    ]


@_in_japanese
def service(resource) -> dict:
    """A fully nested service (compiled service.json): where, who provides it, when, what it costs, what
    it is, and how many places are free. Needs the rows of `for_full`."""
    service_id = hsds_id("service", resource.pk)
    return {
        **service_summary(resource),
        "organization": _organization_nested(resource.organization or resource),
        "phones": [
            *_phones("phone", resource.pk, resource.phone, "voice", service_id=service_id),
            *_phones("fax", resource.pk, resource.fax, "fax", service_id=service_id),
        ],
        "schedules": _schedules(resource, service_id),
        "service_areas": _service_areas(resource, service_id),
        "service_at_locations": [_at_location(resource, location=_location(resource))],
        "languages": _languages(resource, service_id),
        "cost_options": _cost_options(resource, service_id),
        "attributes": _attributes(resource, service_id),
        "capacities": _capacities(resource, service_id),
    }


# ---------------------------------------------------------------- tables of the data package

# Where the objects nested in a service stand as rows of their own (HSDS table name by nesting property).
# A nested object already carries the foreign keys that tie its row to its parent.
NESTED_TABLES = {
    "organization": "organization",
    "organization_identifiers": "organization_identifier",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "location": "location",
    "addresses": "address",
    "accessibility": "accessibility",
    "languages": "language",
    "cost_options": "cost_option",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "capacities": "service_capacity",
    "unit": "unit",
}
# Tables whose rows many services share: each is written once, with what it holds.
SHARED_TABLES = {"organization", "taxonomy_term", "taxonomy", "unit"}


def table_rows(table, nested, written: set):
    """(table, row) pairs of a nested object and everything nested in it, each row without nested objects.
    An object of a shared table whose id is in `written` (the caller's, kept up to date here) is passed
    over, with all it holds."""
    if table in SHARED_TABLES:
        if nested["id"] in written:
            return
        written.add(nested["id"])
    row = {}
    for name, value in nested.items():
        if name in NESTED_TABLES:
            for child in value if isinstance(value, list) else [value]:
                yield from table_rows(NESTED_TABLES[name], child, written)
        else:
            row[name] = value
    yield table, row
