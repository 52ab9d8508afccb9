"""Reads that span several models, for the pages."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from directory import hooks, rules
from directory.choices import ResourceKind, ResourceStatus, VerificationQueue, Visibility
from directory.models import (
    Category,
    Municipality,
    ProblemReport,
    Rating,
    RatingReply,
    Region,
    Resource,
    SuggestedEdit,
    Vacancy,
)
from directory.ratings import rating_summary
from directory.roles import is_professional

HISTORY_FIELDS_HIDDEN = {"updated_at", "created_at"}
# Who verified or owns an entry names a professional: the public sees that the entry changed, not by whom.
HISTORY_FIELDS_FOR_PROFESSIONALS = {"verified_by", "owner"}
HISTORY_KIND_LABELS = {"+": _("登録"), "~": _("変更"), "-": _("削除")}


def catalogue_counts(resources):
    counts = resources.open().aggregate(
        total=Count("pk"),
        formal=Count("pk", filter=Q(kind=ResourceKind.FORMAL)),
        informal=Count("pk", filter=Q(kind=ResourceKind.INFORMAL)),
    )
    return counts


def resources_managed_by(user):
    """A service manager's own entries, oldest 確認日 first, so the stale ones come to the top. Another
    user's private entry stays theirs, whichever organization it names."""
    return (
        Resource.objects.visible_to(user)
        .filter(organization__memberships__user=user)
        .select_related("primary_category", "municipality")
        .annotate(latest_vacancy_at=Max("vacancies__as_of"))
        .order_by("verified_at", "name_kana")
        .distinct()
    )


def resources_needing_verification(queue=VerificationQueue.STALE):
    """A coordinator's queue: the entries of Resource.objects.verification_due(queue), those with an
    unresolved problem report first, then the most used in plans, then the longest unconfirmed (never
    confirmed first).

    `plan_usage` counts what other apps register with directory.hooks.register_usage_count (plans: the
    plan lines that chose the entry)."""
    unresolved = ProblemReport.objects.unresolved().filter(resource=OuterRef("pk"))
    return (
        Resource.objects.verification_due(queue)
        .select_related("primary_category", "municipality", "organization")
        .annotate(
            plan_usage=hooks.usage_count(),
            open_problems=Coalesce(
                Subquery(unresolved.values("resource").annotate(n=Count("pk")).values("n")), 0
            ),
        )
        .order_by("-open_problems", "-plan_usage", F("verified_at").asc(nulls_first=True), "reading", "pk")
    )


def corrections_pending():
    """What waits for a coordinator besides confirming: suggested edits and problem reports, oldest
    first."""
    return {
        "suggestions": SuggestedEdit.objects.pending().select_related(
            "resource", "suggested_by", "resource__organization"
        ),
        "problems": ProblemReport.objects.unresolved().select_related("resource", "reported_by"),
    }


def entry_feedback(resource, user):
    """What an entry's page shows of its ratings and what the viewer may do there. The public get the
    aggregate alone, and only where enough professionals rated; comments, authors and the provider's
    reply are for professionals."""
    professional = is_professional(user)
    may_rate = rules.may_rate(user, resource)
    return {
        "rating_summary": rating_summary(resource, public=not professional),
        "ratings": (
            Rating.objects.current().filter(resource=resource).select_related("user") if professional else []
        ),
        "rating_reply": RatingReply.objects.filter(resource=resource).select_related("author").first()
        if professional
        else None,
        "my_rating": Rating.objects.filter(resource=resource, user=user).first() if may_rate else None,
        "may_rate": may_rate,
        "may_reply": rules.may_reply(user, resource),
        "may_edit": rules.may_edit(user, resource),
        "may_suggest": rules.may_suggest(user, resource),
        "may_report_problem": rules.may_report_problem(user, resource),
    }


def coordinator_dashboard():
    now = timezone.now()
    resources = Resource.objects.open()
    stale_vacancy_cutoff = now - timedelta(days=settings.VACANCY_FRESH_DAYS)
    return {
        "by_status": [
            (ResourceStatus(row["status"]).label, row["n"])
            for row in Resource.objects.values("status").annotate(n=Count("pk")).order_by("status")
        ],
        "queues": [
            (queue, Resource.objects.verification_due(queue, now).count()) for queue in VerificationQueue
        ],
        "stale_months": settings.VERIFIED_STALE_MONTHS,
        "pending_suggestions": SuggestedEdit.objects.pending().count(),
        "open_problems": ProblemReport.objects.unresolved().filter(resource__in=resources).count(),
        "fresh_vacancies": Vacancy.objects.filter(as_of__gte=stale_vacancy_cutoff)
        .values("resource")
        .distinct()
        .count(),
        "categories_without_resources": Category.objects.leaves()
        .annotate(n=Count("primary_resources", filter=~Q(primary_resources__status=ResourceStatus.CLOSED)))
        .filter(n=0),
    }


@dataclass
class FieldChange:
    label: str
    old: object
    new: object


@dataclass
class Change:
    at: object
    author: str | None
    kind: str
    fields: list[FieldChange]


HISTORY_MANY_TO_MANY = ("categories", "service_area", "features")


def resource_changes(resource, *, with_authors, limit=50):
    """The resource's recorded history, newest first, each with the fields it changed.

    Read in a fixed number of queries whatever the length of the history: the records joined to their
    author and related objects, then one query per many-to-many field for the snapshots of all of them."""
    history = Resource.history.model
    foreign_keys = [field.name for field in history.tracked_fields if field.is_relation]
    records = list(
        resource.history.select_related("history_user", *foreign_keys).order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    snapshots = _many_to_many_snapshots(records)
    fields = [
        field
        for field in history.tracked_fields
        if field.editable
        and not field.primary_key
        and field.name not in HISTORY_FIELDS_HIDDEN
        and (with_authors or field.name not in HISTORY_FIELDS_FOR_PROFESSIONALS)
    ]
    changes = []
    for newer, older in zip(records[:limit], [*records[1:], None], strict=False):
        changed = []
        if older is not None:
            for field in fields:
                if getattr(newer, field.attname) != getattr(older, field.attname):
                    old, new = getattr(older, field.name), getattr(newer, field.name)
                    changed.append(FieldChange(_label(field.name), _readable(old), _readable(new)))
            for name in HISTORY_MANY_TO_MANY:
                old, new = snapshots[name][older.history_id], snapshots[name][newer.history_id]
                if [item.pk for item in old] != [item.pk for item in new]:
                    changed.append(FieldChange(_label(name), _readable(old), _readable(new)))
        changes.append(
            Change(
                at=newer.history_date,
                author=(newer.history_user.get_username() if with_authors and newer.history_user else None),
                kind=HISTORY_KIND_LABELS[newer.history_type],
                fields=changed,
            )
        )
    return changes


def _many_to_many_snapshots(records):
    """{field: {history id: [related objects, in id order]}} of the many-to-many sets each record saw."""
    ids = [record.history_id for record in records]
    snapshots = {}
    for name in HISTORY_MANY_TO_MANY:
        target = Resource._meta.get_field(name).m2m_reverse_field_name()
        rows = getattr(Resource.history.model, name).model.objects.filter(history_id__in=ids)
        by_record = defaultdict(list)
        for row in rows.select_related(target).order_by(f"{target}_id"):
            by_record[row.history_id].append(getattr(row, target))
        snapshots[name] = by_record
    return snapshots


def _label(name):
    return str(Resource._meta.get_field(name).verbose_name)


def _readable(value):
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return value


def municipalities_in_use():
    """Municipalities where a resource stands or which one serves: an index probe a municipality (a join
    of every resource, made distinct, took 0.1 s of each search page at 100,000 resources on PostgreSQL)."""
    stands = Resource.objects.filter(municipality=OuterRef("pk"))
    served = Resource.service_area.through.objects.filter(municipality=OuterRef("pk"))
    return Municipality.objects.filter(Exists(stands) | Exists(served)).order_by("code")


def category_choices():
    """The categories as a search form offers them: one group per top-level category, each category of it
    in taxonomy order, those a level deeper indented; a category with others below it reads 「…（すべて）」,
    as choosing it chooses them all. One read of the taxonomy."""
    children = {}
    for category in Category.objects.order_by("code"):
        children.setdefault(category.parent_id, []).append(category)

    def options(category, depth):
        label = str(category)
        if category.pk in children:
            label = _("%(group)s（すべて）") % {"group": label}
        yield category.slug, "\u3000" * depth + label
        for child in children.get(category.pk, []):
            yield from options(child, depth + 1)

    return [(str(root), list(options(root, 0))) for root in children.get(None, [])]


def category_roots():
    """Each category's top-level category, {pk: slug}: a map pin's colour. One read of the taxonomy."""
    parents, slugs = {}, {}
    for pk, parent_id, slug in Category.objects.values_list("pk", "parent_id", "slug"):
        parents[pk], slugs[pk] = parent_id, slug

    def root(pk):
        while parents[pk] is not None:
            pk = parents[pk]
        return slugs[pk]

    return {pk: root(pk) for pk in parents}


def category_groups():
    """The top-level categories as (slug, name), in taxonomy order: the map's legend."""
    return [(category.slug, str(category)) for category in Category.objects.filter(parent=None)]


def default_map_region():
    """The region a map shows when its search names no area: settings.MAP_DEFAULT_REGION, else the first
    region by name; None when there is none (a fresh catalogue)."""
    regions = Region.objects.all()
    if settings.MAP_DEFAULT_REGION:
        regions = regions.filter(slug=settings.MAP_DEFAULT_REGION)
    return regions.first()


def search_rows(resources):
    """What an API list row or a GeoJSON feature shows, in two queries however many rows: the rows joined to
    their category, municipality, organization and latest vacancy, then their fees. (A page is first read as
    ids alone — see directory.pagination.SearchPaginator — so the joins run for the page's rows only.)"""
    return resources.select_related(
        "primary_category", "municipality", "organization", "latest_vacancy"
    ).prefetch_related("fees")


def card_rows(resources):
    """What a result card, a map pin or a CSV line shows (directory.facts): search_rows and their hours and
    features."""
    return search_rows(resources).prefetch_related("hours", "features")


# 地域診断: fewer unmet plan lines than this are shown as 「3未満」, so that no one person stands out.
UNMET_SHOWN_FROM = 3


@dataclass
class CoverageRow:
    """One service type across a region's municipalities."""

    category: Category
    cells: list  # (municipality, offices, capacity or None), in the region's order
    offices: int  # in the whole region
    capacity: int | None
    unmet: int  # plan lines 未充足 for people living in the region

    def unmet_shown(self):
        """The unmet lines as the page shows them: a number, or 「3未満」 for a few."""
        if 0 < self.unmet < UNMET_SHOWN_FROM:
            return _("%(n)s未満") % {"n": UNMET_SHOWN_FROM}
        return self.unmet


def coverage(region, group):
    """地域診断: for each service type under the top-level category `group`, how many offices run in each
    municipality of the region (active or not accepting newcomers; not suspended, closed or anyone's private
    contact) and their capacity, with the needs that plans could not meet there."""
    municipalities = list(region.municipalities.order_by("code"))
    roots = category_roots()
    parents = set(Category.objects.exclude(parent=None).values_list("parent_id", flat=True))
    categories = [
        category
        for category in Category.objects.filter(unmapped=False).exclude(parent=None)
        if roots[category.pk] == group and category.pk not in parents
    ]
    counted = (
        Resource.objects.filter(municipality__in=municipalities, primary_category__in=categories)
        .filter(status__in=[ResourceStatus.ACTIVE, ResourceStatus.NOT_ACCEPTING])
        .exclude(visibility=Visibility.PRIVATE)
        .order_by()
        .values_list("primary_category_id", "municipality_id")
        .annotate(offices=Count("pk"), capacity=Sum("capacity"))
    )
    found = {
        (category_id, town_id): (offices, capacity) for category_id, town_id, offices, capacity in counted
    }
    unmet = hooks.unmet_counts([town.pk for town in municipalities])
    rows = []
    for category in categories:
        cells = [(town, *found.get((category.pk, town.pk), (0, None))) for town in municipalities]
        capacities = [capacity for _town, _offices, capacity in cells if capacity is not None]
        rows.append(
            CoverageRow(
                category=category,
                cells=cells,
                offices=sum(offices for _town, offices, _capacity in cells),
                capacity=sum(capacities) if capacities else None,
                unmet=unmet.get(category.pk, 0),
            )
        )
    return municipalities, rows
