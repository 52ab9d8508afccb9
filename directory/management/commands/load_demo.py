"""Load a demo catalogue: every municipality of Japan, and the 北信 region of 長野県 with a few hundred
invented resources.

    python manage.py load_demo

The data lives in fixtures/: areas/ (the prefectures and municipalities of Japan, from code4fukui/localgovjp,
imported first through `import_areas`, so that a search near any place in Japan finds its point),
hokushin_places.toml (the region, which of those municipalities it holds, 地区 and phone patterns) and
demo_catalogue.toml (organizations, name patterns, hours and fees per category). Everything is built from
them with random.Random(2026), so every run plans the same rows; only dates of verification and vacancy
reports are relative to now.

Idempotent: rows are found again by stable keys (Prefecture/Municipality by code, Region by slug,
Organization by 法人番号, Resource by source="manual" and source_id="demo-<n>") and written only when they
differ, so a second run changes nothing and records no history. A resource's 確認日 is set when it is
created and left alone afterwards; vacancy reports are added only to resources that have none. Edits made
to demo entries through the site are put back to the fixtures' values by the next run.

The demo users planner / manager / coordinator (password demo-pass-2026) are created only when DEBUG is
on, and with them five invented planners (demo-rater-1 … 5, who cannot log in) who rate a few public
entries, so that some show the public aggregate (3 raters or more) and some only professionals' figures.
A rating is added only where that rater has none. Without the demo users there is nobody to report
vacancies or own private entries, so those are skipped.
"""

import csv
import io
import math
import random
import time
import tomllib
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from directory import hooks, roles
from directory.choices import (
    DisabilityGroup,
    RatingCriterion,
    ResourceKind,
    ResourceStatus,
    Source,
    Visibility,
)
from directory.importers.common import changed_fields, hours_rows
from directory.management.commands.import_areas import SHIPPED_FILES, SHIPPED_MUNICIPALITIES, TALLY_LABELS
from directory.models import (
    Category,
    Feature,
    Membership,
    Municipality,
    Organization,
    Prefecture,
    Rating,
    Region,
    Resource,
    Vacancy,
)
from directory.search import refresh_planner_statistics
from directory.services import rating_save, resource_create, resource_update, vacancy_report
from directory.taxonomy import CATEGORIES
from directory.validators import corporate_number_check_digit

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
SEED = 2026
PASSWORD = "demo-pass-2026"
SOURCE_ID_PREFIX = "demo-"
DEMO_USERS = {"planner": roles.PLANNER, "manager": roles.SERVICE_MANAGER, "coordinator": roles.COORDINATOR}
DEMO_NOTE = "※デモ用に作った架空の情報です。"

SCATTER_KM = 3.0  # resources stand within this distance of their municipality's city hall
KM_PER_DEGREE = 111.0
DAY_TYPES = ("weekday", "saturday", "sunday", "holiday")
# The category groups whose offices carry a 事業所番号, and those numbered as children's services.
NUMBERED_GROUPS = ("welfare-services",)
CHILD_GROUPS = ("child-day-services", "child-residential")
CHILD_CONSULTATION = "child-consultation"

STATUS_WEIGHTS = {
    ResourceKind.FORMAL: {
        ResourceStatus.ACTIVE: 86,
        ResourceStatus.NOT_ACCEPTING: 10,
        ResourceStatus.SUSPENDED: 4,
    },
    ResourceKind.INFORMAL: {ResourceStatus.ACTIVE: 95, ResourceStatus.SUSPENDED: 5},
}
CLOSED_COUNT = 2
# How long ago an entry was last verified: (weight, (fewest days, most days)), None for never.
VERIFIED_AGES = [(40, (1, 85)), (20, (95, 360)), (25, (370, 800)), (15, None)]
VACANCY_SHARE = 0.75  # of the resources with a 定員, how many have vacancy reports
FRESH_VACANCY_DAYS = (0, 25)
STALE_VACANCY_DAYS = (60, 200)


# ---------------------------------------------------------------- reading the fixtures


@dataclass
class Place:
    """A municipality of the region: the official row plus what the demo invents around it."""

    code: str
    name: str
    kana: str
    latitude: float
    longitude: float
    gun: str
    weight: float
    neighbours: list[str]
    phone: str
    postal: str
    districts: list[tuple[str, str, str]]  # (name, kana, address fragment)

    @property
    def short(self):
        return self.name[:-1]

    @property
    def short_kana(self):
        for suffix in ("し", "まち", "ちょう", "むら", "そん"):
            if self.kana.endswith(suffix):
                return self.kana.removesuffix(suffix)
        return self.kana


def read_fixtures():
    with open(FIXTURES / "hokushin_places.toml", "rb") as file:
        places = tomllib.load(file)
    with open(FIXTURES / "demo_catalogue.toml", "rb") as file:
        catalogue = tomllib.load(file)
    with SHIPPED_MUNICIPALITIES.open(encoding="utf-8-sig", newline="") as file:
        region = places["municipality"]
        official = {row["lgcode"]: row for row in csv.DictReader(file) if row["lgcode"] in region}
    municipalities = []
    for code, extra in places["municipality"].items():  # in the order of the file: the plan depends on it
        row = official[code]
        districts = [
            (name, kana, address[0] if address else f"大字{name}")
            for name, kana, *address in extra["districts"]
        ]
        municipalities.append(
            Place(
                code=row["lgcode"],
                name=row["city"],
                kana=row["citykana"],
                latitude=float(row["lat"]),
                longitude=float(row["lng"]),
                gun=extra["gun"],
                weight=float(extra["weight"]),
                neighbours=extra["neighbours"],
                phone=extra["phone"],
                postal=extra["postal"],
                districts=districts,
            )
        )
    return places, catalogue, municipalities


def check_catalogue(catalogue):
    """Every category of the catalogue must exist in the taxonomy; returns the leaves it leaves out."""
    parents = {spec.parent for spec in CATEGORIES}
    leaves = {spec.slug for spec in CATEGORIES if spec.slug not in parents}
    profiles = {profile["slug"] for profile in catalogue["category"]}
    unknown = profiles - leaves
    if unknown:
        raise CommandError(f"demo_catalogue.toml names categories that are not leaves: {sorted(unknown)}")
    return sorted(leaves - profiles)


def corporate_number(seq: int, kind: str) -> str:
    """An invented but valid 法人番号: a registry prefix, the organization's sequence and the check digit."""
    base = ("100001" if kind == "company" else "100005") + f"{seq:06d}"
    return corporate_number_check_digit(base) + base


def parse_hours(text: str) -> tuple[clock, clock]:
    """ "08:30～17:15" -> (08:30, 17:15); 24:00 is midnight, so round the clock is 00:00–00:00."""
    opens, closes = (
        clock(int(hh) % 24, int(mm)) for hh, mm in (part.split(":") for part in text.split("～"))
    )
    return opens, closes


def category_groups():
    """slug -> the slugs of the category and all its ancestors."""
    parents = {spec.slug: spec.parent for spec in CATEGORIES}
    chains = {}
    for slug in parents:
        chain, current = [], slug
        while current:
            chain.append(current)
            current = parents[current]
        chains[slug] = chain
    return chains


# ---------------------------------------------------------------- planning (pure: no database)


@dataclass
class OrganizationPlan:
    seq: int
    kind: str
    home: str
    values: dict  # name, name_kana, address, phone; corporate_number is the key

    @property
    def corporate_number(self):
        return corporate_number(self.seq, self.kind)


@dataclass
class Site:
    """Where and under what name an office stands; shared by the two resources of a 多機能型 office."""

    name: str
    kana: str
    organization: int | None
    postal_code: str
    address: str
    latitude: float
    longitude: float
    phone: str
    fax: str


@dataclass
class ResourcePlan:
    source_id: str
    municipality: str  # code
    category: str  # slug of the primary category
    organization: int | None  # OrganizationPlan.seq
    values: dict  # the scalar fields of Resource
    categories: list[str] = field(default_factory=list)
    service_area: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    fees: list[dict] = field(default_factory=list)
    hours: list[dict] = field(default_factory=list)
    verified_days_ago: float | None = None
    vacancies: list[dict] = field(default_factory=list)  # days_ago, places, places_by_weekday, note

    @property
    def private(self):
        return self.values["visibility"] == Visibility.PRIVATE


class DemoPlan:
    """Turns the fixtures into lists of organizations and resources, deterministically."""

    def __init__(self, catalogue, municipalities):
        self.catalogue = catalogue
        self.municipalities = municipalities
        self.by_code = {place.code: place for place in municipalities}
        self.rng = random.Random(SEED)
        self.kinds = {spec.slug: spec.kind for spec in CATEGORIES}
        self.groups = category_groups()
        self.used_names = set()
        self.visibility_turns = {}  # category slug -> entries planned so far
        self.office_seq = 0
        self.organizations = self.plan_organizations()
        self.resources = self.plan_resources()

    # -- organizations

    def plan_organizations(self):
        specs = list(self.catalogue["organizations"])
        for index, place in enumerate(self.municipalities):
            specs.append(
                {
                    "seq": 100 + index,
                    "kind": "shakyo",
                    "name": f"社会福祉法人{place.name}社会福祉協議会",
                    "kana": f"{place.kana}しゃかいふくしきょうぎかい",
                    "home": place.code,
                }
            )
        plans = []
        for spec in specs:
            place = self.by_code[spec["home"]]
            values = {
                "name": spec["name"],
                "name_kana": spec["kana"],
                "address": self.address(place, self.rng.choice(place.districts)),
                "phone": self.digits(place.phone),
            }
            plans.append(OrganizationPlan(spec["seq"], spec["kind"], spec["home"], values))
        return plans

    def pick_organization(self, kinds, place):
        """A body of one of `kinds`, mostly from the same municipality (a 社協 always is)."""
        if not kinds:
            return None
        pool = [
            plan
            for plan in self.organizations
            if plan.kind in kinds and (plan.kind != "shakyo" or plan.home == place.code)
        ]
        local = [plan for plan in pool if plan.home == place.code]
        near = [plan for plan in pool if plan.home in place.neighbours]
        choices = local if local and self.rng.random() < 0.75 else (near or local or pool)
        return self.rng.choice(choices).seq

    # -- resources

    def plan_resources(self):
        plans = []
        for profile in self.catalogue["category"]:
            for place in self.places_for(profile):
                plans.append(self.plan_resource(profile, place, self.site(profile, place)))
        profiles = {profile["slug"]: profile for profile in self.catalogue["category"]}
        for first, second, code in self.catalogue["multifunction"]:
            place = self.by_code[code]
            shared_orgs = [kind for kind in profiles[first]["orgs"] if kind in profiles[second]["orgs"]]
            site = self.site({"names": self.catalogue["multifunction_names"], "orgs": shared_orgs}, place)
            office_number = self.next_office_number(first)
            for slug, other in ((first, second), (second, first)):
                plans.append(
                    self.plan_resource(profiles[slug], place, site, office_number=office_number, also=other)
                )
        for number, plan in enumerate(plans, start=1):
            plan.source_id = f"{SOURCE_ID_PREFIX}{number}"
        self.close_a_few(plans)
        return plans

    def places_for(self, profile):
        codes = profile.get("places", [place.code for place in self.municipalities])
        places = [self.by_code[code] for code in codes]
        if profile.get("each"):
            return places
        # Informal supports grow where people live, not where offices cluster: flatten the weights.
        power = 0.5 if self.kinds[profile["slug"]] == ResourceKind.INFORMAL else 1.0
        weights = [place.weight**power for place in places]
        return self.rng.choices(places, weights=weights, k=profile["count"])

    def site(self, profile, place):
        name, kana, district = self.name(profile["names"], place)
        phone = self.digits(place.phone)
        organization = self.pick_organization(profile.get("orgs", []), place)
        latitude, longitude = self.scatter(place)
        address = self.address(place, district)
        if profile.get("contact") == "district":  # a person or a loose group: no street number, no phone
            address, phone = f"長野県{place.gun}{place.name}{district[2]}", ""
        return Site(
            name=name,
            kana=kana,
            organization=organization,
            postal_code=self.digits(place.postal),
            address=address,
            latitude=latitude,
            longitude=longitude,
            phone=phone,
            fax=self.digits(place.phone) if organization else "",
        )

    def plan_resource(self, profile, place, site, *, office_number=None, also=None):
        slug = profile["slug"]
        kind = self.kinds[slug]
        groups = self.groups[slug]
        if office_number is None and any(group in groups for group in NUMBERED_GROUPS):
            office_number = self.next_office_number(slug)
        features = list(profile.get("features", []))
        features += [feature for feature in profile.get("maybe", []) if self.rng.random() < 0.5]
        if also:
            features.append("multifunction")
        visibility_choices = profile.get("visibility", [Visibility.PUBLIC])
        turn = self.visibility_turns[slug] = self.visibility_turns.get(slug, -1) + 1
        visibility = visibility_choices[turn % len(visibility_choices)]
        fee_key = profile["fees"] if isinstance(profile["fees"], str) else self.rng.choice(profile["fees"])
        hours = self.catalogue["hours"][profile["hours"]]
        capacity = self.rng.choice(profile["capacity"]) if "capacity" in profile else None
        accepts = set(profile.get("accepts", []))
        values = {
            "name": site.name,
            "name_kana": site.kana,
            "kind": kind,
            "office_number": office_number or "",
            "postal_code": site.postal_code,
            "address": site.address,
            "latitude": site.latitude,
            "longitude": site.longitude,
            "phone": site.phone if visibility != Visibility.PRIVATE else "",
            "fax": site.fax,
            "description": f"{profile['description']}\n{DEMO_NOTE}",
            "closed_days": hours["closed_days"],
            "hours_note": profile.get("hours_note", ""),
            "capacity": capacity,
            **{f"accepts_{group}": group in accepts for group in DisabilityGroup.values},
            "min_support_level": profile.get("min_support_level"),
            "min_age": profile.get("min_age"),
            "max_age": profile.get("max_age"),
            "eligibility_notes": profile.get("eligibility_notes", ""),
            "accessibility_notes": "スロープ・多目的トイレあり" if "wheelchair" in features else "",
            "languages": "日本語、手話" if "sign-language" in features else "",
            "visibility": visibility,
            "status": self.weighted(STATUS_WEIGHTS[kind]),
            "source": Source.MANUAL,
        }
        has_places = capacity is not None and (bool(office_number) or profile.get("vacancy", False))
        return ResourcePlan(
            source_id="",
            municipality=place.code,
            category=slug,
            organization=site.organization,
            values=values,
            categories=[also] if also else [],
            service_area=self.service_area(place) if profile.get("visit") else [],
            features=features,
            fees=[self.fee_row(row) for row in self.catalogue["fees"][fee_key]],
            hours=[self.hours_row(day, hours[day]) for day in DAY_TYPES if day in hours],
            verified_days_ago=self.verified_days_ago(),
            vacancies=self.vacancies(profile) if has_places and self.rng.random() < VACANCY_SHARE else [],
        )

    def close_a_few(self, plans):
        candidates = [plan for plan in plans if plan.values["office_number"] and not plan.categories]
        for plan in self.rng.sample(candidates, CLOSED_COUNT):
            plan.values["status"] = ResourceStatus.CLOSED
            plan.values["description"] = f"{plan.values['description']}\n事業を廃止しました。"
            plan.vacancies = []

    # -- small helpers

    def name(self, patterns, place):
        """A name (and kana) not used yet in the region, with the 地区 it speaks of."""
        for _attempt in range(100):
            name_pattern, kana_pattern = self.rng.choice(patterns)
            stem, stem_kana = self.rng.choice(self.catalogue["stems"])
            district = self.rng.choice(place.districts)
            words = {
                "stem": stem,
                "stem_kana": stem_kana,
                "area": district[0],
                "area_kana": district[1],
                "town": place.name,
                "town_kana": place.kana,
                "short": place.short,
                "short_kana": place.short_kana,
            }
            name = name_pattern.format(**words)
            if name not in self.used_names:
                self.used_names.add(name)
                return name, kana_pattern.format(**words), district
        raise CommandError(
            f"demo_catalogue.toml: not enough distinct names for {patterns[0][0]} in {place.name}"
        )

    def next_office_number(self, slug):
        """A 10-digit 事業所番号 of 長野県 (20…): series 1 for adults, 5 for children's services."""
        self.office_seq += 1
        groups = self.groups[slug]
        series = 5 if slug == CHILD_CONSULTATION or any(group in groups for group in CHILD_GROUPS) else 1
        return f"20{series}{self.office_seq + 1000:07d}"

    def digits(self, pattern):
        return "".join(str(self.rng.randrange(10)) if char == "#" else char for char in pattern)

    def address(self, place, district):
        number = f"{self.rng.randint(1, 2999)}"
        if self.rng.random() < 0.5:
            number += f"-{self.rng.randint(1, 30)}"
        return f"長野県{place.gun}{place.name}{district[2]}{number}"

    def scatter(self, place):
        """A point within SCATTER_KM of the city hall, uniform over the disc."""
        distance = SCATTER_KM * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0, 2 * math.pi)
        north = distance * math.cos(bearing) / KM_PER_DEGREE
        east = distance * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(place.latitude)))
        return round(place.latitude + north, 6), round(place.longitude + east, 6)

    def service_area(self, place):
        neighbours = self.rng.sample(place.neighbours, self.rng.randint(1, len(place.neighbours)))
        return [place.code, *sorted(neighbours)]

    def weighted(self, weights):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def verified_days_ago(self):
        ages = [age for _weight, age in VERIFIED_AGES]
        age = self.rng.choices(ages, weights=[weight for weight, _age in VERIFIED_AGES])[0]
        return None if age is None else round(self.rng.uniform(*age), 3)

    def vacancies(self, profile):
        """One report, fresh or stale; some fresh ones follow an older report."""
        if self.rng.random() < 0.6:
            places = self.rng.choice([0, 0, 1, 1, 2, 3])
            report = {
                "days_ago": round(self.rng.uniform(*FRESH_VACANCY_DAYS), 3),
                "places": places,
                "places_by_weekday": {},
                "note": "見学・体験は随時受け付けています" if places else "空き待ちの登録ができます",
            }
            if places and profile["hours"] in ("day", "work", "after_school", "child_day"):
                report["places_by_weekday"] = {
                    day: self.rng.randint(0, places) for day in ("mon", "wed", "fri")
                }
            reports = [report]
            if self.rng.random() < 0.3:
                reports.insert(0, self.stale_report())
            return reports
        return [self.stale_report()]

    def stale_report(self):
        return {
            "days_ago": round(self.rng.uniform(*STALE_VACANCY_DAYS), 3),
            "places": self.rng.choice([0, 1, 2, 4]),
            "places_by_weekday": {},
            "note": "",
        }

    @staticmethod
    def fee_row(row):
        return {
            "kind": row["kind"],
            "amount_yen": row.get("amount_yen"),
            "unit": row.get("unit", ""),
            "description": row.get("description", ""),
        }

    @staticmethod
    def hours_row(day_type, text):
        opens, closes = parse_hours(text)
        return {"day_type": day_type, "opens": opens, "closes": closes, "text": text}


# ---------------------------------------------------------------- writing (idempotent)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, status):
        setattr(self, status, getattr(self, status) + 1)

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def upsert(model, lookup, values):
    """update_or_create that saves only when something differs. Returns (instance, status)."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**lookup, **values), "created"
    differing = [name for name, value in values.items() if getattr(instance, name) != value]
    if not differing:
        return instance, "unchanged"
    for name in differing:
        setattr(instance, name, values[name])
    instance.save()
    return instance, "updated"


def import_japan() -> str:
    """Every prefecture and municipality of Japan (`import_areas` on the shipped files: a second run writes
    nothing); returns its tallies."""
    output = io.StringIO()
    call_command("import_areas", *map(str, SHIPPED_FILES), stdout=output)
    with translation.override(settings.LANGUAGE_CODE):  # the language import_areas reports in
        labels = tuple(f"{translation.gettext(label)}: " for label in TALLY_LABELS.values())
    tallies = [line for line in output.getvalue().splitlines() if line.startswith(labels)]
    return "; ".join(tallies)


def load_areas(places, municipalities):
    spec = dict(places["prefecture"])
    prefecture, prefecture_status = upsert(Prefecture, {"code": spec.pop("code")}, spec)
    tally, by_code = Tally(), {}
    for place in municipalities:
        values = {
            "prefecture": prefecture,
            "name": place.name,
            "name_kana": place.kana,
            "latitude": place.latitude,
            "longitude": place.longitude,
        }
        by_code[place.code], status = upsert(Municipality, {"code": place.code}, values)
        tally.count(status)
    region_spec = places["region"]
    region, _ = upsert(
        Region,
        {"slug": region_spec["slug"]},
        {"name": region_spec["name"], "description": region_spec["description"]},
    )
    region.municipalities.set(by_code.values())
    return region, by_code, f"{prefecture.name} {prefecture_status}; municipalities {tally}"


def load_organizations(plans):
    tally, by_seq = Tally(), {}
    for plan in plans:
        by_seq[plan.seq], status = upsert(
            Organization, {"corporate_number": plan.corporate_number}, plan.values
        )
        tally.count(status)
    return by_seq, tally


def ensure_demo_users(manager_organization):
    """The three demo users with their groups; returns ({username: user}, usernames created)."""
    User = get_user_model()
    users, created = {}, []
    for username, group_name in DEMO_USERS.items():
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist:
            raise CommandError(f"group {group_name!r} is missing: run `manage.py migrate` first") from None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=PASSWORD)
            created.append(username)
        user.groups.add(group)
        if group_name == roles.COORDINATOR and not user.is_staff:
            # Coordinators curate the catalogue in the admin; their group holds the permissions.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        users[username] = user
    Membership.objects.get_or_create(user=users["manager"], organization=manager_organization)
    return users, created


RATERS = 5
RATED_EVERY = 12  # one public active entry in this many is rated
RATER_COUNTS = (5, 3, 4, 1, 2, 3)  # raters of the rated entries, in turn
RATING_COMMENTS = (
    "見学の調整が早く、本人の様子もていねいに伝えてくれました。",
    "送迎の時間を本人に合わせて変えてもらえました。",
    "書類が多く、契約までに時間がかかりました。",
    "担当者会議に毎回出てくれ、連携しやすいです。",
    "",
)


def load_ratings():
    """Ratings by the invented planners demo-rater-N on every RATED_EVERY-th public active formal entry;
    returns how many were added."""
    User = get_user_model()
    planners = Group.objects.get(name=roles.PLANNER)
    raters = []
    for n in range(1, RATERS + 1):
        user, created = User.objects.get_or_create(username=f"demo-rater-{n}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(planners)
        raters.append(user)
    candidates = Resource.objects.filter(
        source=Source.MANUAL,
        source_id__startswith=SOURCE_ID_PREFIX,
        visibility=Visibility.PUBLIC,
        kind=ResourceKind.FORMAL,
        status=ResourceStatus.ACTIVE,
    )
    ordered = sorted(candidates, key=lambda resource: int(resource.source_id.removeprefix(SOURCE_ID_PREFIX)))
    rng, added = random.Random(SEED), 0
    already = set(Rating.objects.filter(user__in=raters).values_list("resource_id", "user_id"))
    for turn, resource in enumerate(ordered[::RATED_EVERY]):
        base = rng.choice((3, 4, 4, 5))
        for rater in raters[: RATER_COUNTS[turn % len(RATER_COUNTS)]]:
            scores = {
                criterion: min(5, max(1, base + rng.choice((-1, 0, 0, 1)))) if rng.random() < 0.85 else None
                for criterion in RatingCriterion.values
            }
            scores["procedure"] = scores["procedure"] or base
            comment = rng.choice(RATING_COMMENTS)
            if (resource.pk, rater.pk) in already:
                continue
            rating_save(
                resource=resource, by=rater, comment=comment, based_on_use=rng.random() < 0.6, **scores
            )
            added += 1
    return added


class ResourceWriter:
    """Creates or updates the planned resources through the service layer, then adds vacancy reports."""

    def __init__(self, *, municipalities, organizations, users, manager_organization, now):
        self.municipalities = municipalities
        self.organizations = organizations
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.features = {feature.slug: feature for feature in Feature.objects.all()}
        self.planner = users.get("planner")
        self.manager = users.get("manager")
        self.coordinator = users.get("coordinator")
        self.manager_organization = manager_organization
        self.now = now
        self.tally = Tally()
        self.skipped_private = 0
        self.vacancies = {"fresh": 0, "stale": 0, "skipped": 0}

    def write(self, plans):
        existing = {
            resource.source_id: resource
            for resource in Resource.objects.filter(
                source=Source.MANUAL, source_id__startswith=SOURCE_ID_PREFIX
            ).prefetch_related("categories", "service_area", "features", "fees", "hours")
        }
        with_vacancies = set(
            Vacancy.objects.filter(
                resource__source=Source.MANUAL, resource__source_id__startswith=SOURCE_ID_PREFIX
            ).values_list("resource_id", flat=True)
        )
        for plan in plans:
            if plan.private and self.planner is None:
                self.skipped_private += 1
                continue
            resource = self.write_one(plan, existing.get(plan.source_id))
            if plan.vacancies and resource.pk not in with_vacancies:
                self.report_vacancies(resource, plan.vacancies)

    def write_one(self, plan, resource):
        values = {
            **plan.values,
            "source_id": plan.source_id,
            "primary_category": self.categories[plan.category],
            "municipality": self.municipalities[plan.municipality],
            "organization": self.organizations.get(plan.organization),
            "owner": self.planner if plan.private else None,
        }
        m2m = {
            "categories": [self.categories[slug] for slug in plan.categories],
            "service_area": [self.municipalities[code] for code in plan.service_area],
            "features": [self.features[slug] for slug in plan.features],
        }
        if resource is None:
            self.tally.count("created")
            if plan.verified_days_ago is not None:
                values["verified_at"] = self.now - timedelta(days=plan.verified_days_ago)
                values["verified_by"] = self.coordinator
            m2m = {name: objects for name, objects in m2m.items() if objects}
            return resource_create(by=self.coordinator, fees=plan.fees, hours=plan.hours, **values, **m2m)

        changes = changed_fields(resource, values)
        changes |= {
            name: objects
            for name, objects in m2m.items()
            if {obj.pk for obj in getattr(resource, name).all()} != {obj.pk for obj in objects}
        }
        fees = plan.fees if fee_rows(resource.fees.all()) != fee_rows(plan.fees) else None
        hours = plan.hours if hours_rows(resource.hours.all()) != hours_rows(plan.hours) else None
        if not changes and fees is None and hours is None:
            self.tally.count("unchanged")
            return resource
        self.tally.count("updated")
        return resource_update(resource=resource, by=self.coordinator, fees=fees, hours=hours, **changes)

    def report_vacancies(self, resource, reports):
        managed_here = self.manager and resource.organization_id == self.manager_organization.pk
        reporter = self.manager if managed_here else self.coordinator
        if reporter is None:
            self.vacancies["skipped"] += len(reports)
            return
        for report in reports:
            vacancy_report(
                resource=resource,
                by=reporter,
                places=report["places"],
                as_of=self.now - timedelta(days=report["days_ago"]),
                places_by_weekday=report["places_by_weekday"],
                note=report["note"],
            )
            self.vacancies["fresh" if report["days_ago"] < STALE_VACANCY_DAYS[0] else "stale"] += 1


def fee_rows(rows):
    """Fee lines, as saved (Fee objects, in order) or planned (dicts), in one comparable form."""
    fields = ("kind", "amount_yen", "unit", "description")
    return [
        tuple(row[name] if isinstance(row, dict) else getattr(row, name) for name in fields) for row in rows
    ]


# ---------------------------------------------------------------- the command


class Command(BaseCommand):
    help = (
        "Load the demo catalogue: the 北信 region of 長野県 (13 municipalities) with about 400 invented "
        "resources, and, when DEBUG is on, the users planner / manager / coordinator "
        f"(password {PASSWORD}). Safe to run again: it only writes what differs."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        if not Category.objects.exists():
            raise CommandError("the category taxonomy is missing: run `manage.py migrate` first")
        places, catalogue, municipalities = read_fixtures()
        for slug in check_catalogue(catalogue):
            self.stderr.write(f"Warning: demo_catalogue.toml has no entry for the category {slug!r}")
        plan = DemoPlan(catalogue, municipalities)
        with transaction.atomic():
            japan = import_japan()
            region, by_code, area_tally = load_areas(places, municipalities)
            organizations, organization_tally = load_organizations(plan.organizations)
            manager_organization = organizations[catalogue["manager_organization"]]
            users, created_users = ensure_demo_users(manager_organization) if settings.DEBUG else ({}, [])
            writer = ResourceWriter(
                municipalities=by_code,
                organizations=organizations,
                users=users,
                manager_organization=manager_organization,
                now=timezone.now(),
            )
            writer.write(plan.resources)
            ratings = load_ratings() if settings.DEBUG else None
            hooks.run_demo_steps(users=users, stdout=self.stdout)  # plans: the demo planner's plans
        refresh_planner_statistics()

        write = self.stdout.write
        write(f"All of Japan (fixtures/areas): {japan}")
        write(f"{region.name} ({region.slug}), {len(by_code)} municipalities: {area_tally}")
        write(f"Organizations: {organization_tally}")
        private = (
            f"; {writer.skipped_private} private entries skipped (no demo planner)"
            if writer.skipped_private
            else ""
        )
        write(f"Resources: {writer.tally}{private}")
        vacancies = writer.vacancies
        skipped = f", {vacancies['skipped']} skipped (no demo users)" if vacancies["skipped"] else ""
        write(f"Vacancy reports: {vacancies['fresh']} fresh and {vacancies['stale']} stale added{skipped}")
        if ratings is not None:
            write(f"Ratings by demo-rater-1…{RATERS}: {ratings} added")
        if settings.DEBUG:
            made = f"created {', '.join(created_users)}" if created_users else "already there"
            write(
                f"Users planner, manager, coordinator ({made}); password {PASSWORD}. "
                f"manager is the service manager of {manager_organization.name}."
            )
        else:
            write("Skipped the demo users: DEBUG is off.")
        write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
