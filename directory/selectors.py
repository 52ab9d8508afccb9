"""Reads that span several models, for the pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject

from directory import rules
from directory.choices import ResourceKind, ResourceStatus, VerificationQueue
from directory.models import (
    Category,
    Municipality,
    ProblemReport,
    Rating,
    RatingReply,
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
    """A service manager's own entries, oldest 確認日 first, so the stale ones come to the top."""
    return (
        Resource.objects.filter(organization__memberships__user=user)
        .select_related("primary_category", "municipality")
        .annotate(latest_vacancy_at=Max("vacancies__as_of"))
        .order_by("verified_at", "name_kana")
        .distinct()
    )


def resources_needing_verification(queue=VerificationQueue.STALE):
    """A coordinator's queue: the entries of Resource.objects.verification_due(queue), those with an
    unresolved problem report first, then the most used in plans, then the longest unconfirmed (never
    confirmed first).

    `plan_usage` is the hook for the plans app: how many plan lines chose the entry. Until plans exist it
    is 0; the plans branch replaces the Value(0) with a count of its lines."""
    unresolved = ProblemReport.objects.unresolved().filter(resource=OuterRef("pk"))
    return (
        Resource.objects.verification_due(queue)
        .select_related("primary_category", "municipality", "organization")
        .annotate(
            plan_usage=Value(0, output_field=IntegerField()),
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


def resource_changes(resource, *, with_authors, limit=50):
    """The resource's recorded history, newest first, each with the fields it changed."""
    records = list(
        resource.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    changes = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(changes) == limit:
            break
        fields = []
        if older is not None:
            delta = newer.diff_against(older, foreign_keys_are_objs=True)
            for change in delta.changes:
                if change.field in HISTORY_FIELDS_HIDDEN or (
                    change.field in HISTORY_FIELDS_FOR_PROFESSIONALS and not with_authors
                ):
                    continue
                field = Resource._meta.get_field(change.field)
                fields.append(
                    FieldChange(str(field.verbose_name), _readable(change.old), _readable(change.new))
                )
        changes.append(
            Change(
                at=newer.history_date,
                author=(newer.history_user.get_username() if with_authors and newer.history_user else None),
                kind=HISTORY_KIND_LABELS[newer.history_type],
                fields=fields,
            )
        )
    return changes


def _readable(value):
    if isinstance(value, list):
        # m2m changes come as lists of through-row dicts; show the related objects' names.
        names = []
        for row in value:
            related = [v for k, v in row.items() if k != "resource"]
            names.extend(str(item) for item in related)
        return "、".join(names)
    if value is None or (isinstance(value, DeletedObject) and value.pk is None):
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return value


def municipalities_in_use():
    """Municipalities where a resource stands or which one serves."""
    return (
        Municipality.objects.filter(Q(resources__isnull=False) | Q(served_by__isnull=False))
        .distinct()
        .order_by("code")
    )


def search_rows(resources):
    """What a result row shows, fetched in two queries: the rows joined to their category, municipality,
    organization and latest vacancy, then their fees. (A page is first read as ids alone — see
    directory.pagination.SearchPaginator — so the joins run for the page's rows only.)"""
    return resources.select_related(
        "primary_category", "municipality", "organization", "latest_vacancy"
    ).prefetch_related("fees")
