"""Reads of the plan pages that span models. Each starts from a plan the caller may already read."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Subquery

from directory.models import Resource
from directory.ratings import rating_figures
from directory.selectors import category_roots
from plans import costs, fit
from plans.choices import LineStatus, ScheduleDay
from plans.models import Candidate, InquiryRecipient, PlanLine

PROVIDER_ROWS = ("primary_category", "municipality", "organization", "latest_vacancy")
DAY_START_HOUR = 6  # the official 週間計画表 runs from 6:00 to 4:00 the next morning
DAY_HOURS = 22
SLOTS_PER_HOUR = 2


def plan_lines(plan):
    """The plan's lines with what the form and the cost estimate read."""
    providers = Resource.objects.select_related(*PROVIDER_ROWS).prefetch_related("fees")
    return list(
        PlanLine.objects.filter(plan=plan)
        .select_related("category", "informal_support")
        .prefetch_related(Prefetch("provider", queryset=providers), "candidates")
    )


@dataclass
class Compared:
    candidate: Candidate
    resource: Resource
    distance_km: float | None
    schedule: list
    added_share_yen: int
    line_cost: costs.LineCost
    eligibility: list
    answer: InquiryRecipient | None
    rating: float | None = None  # professionals' smoothed overall score, 1–5 (None: no one rated it yet)
    rating_count: int = 0
    pin_number: int | None = None  # its pin on the line's map (mapviews: candidates with a point, in order)
    pin_group: str = "default"  # the pin's colour: its category's top-level group

    @property
    def monthly_yen(self):
        return self.added_share_yen + self.line_cost.expenses_yen - self.line_cost.rent_support_yen


def compare(plan, line):
    """The line's candidates side by side: distance, days and hours, the month's cost for this person,
    eligibility, and the latest answer to a 受け入れ照会."""
    lines = plan_lines(plan)
    this = next(row for row in lines if row.pk == line.pk)
    resources = Resource.objects.select_related(*PROVIDER_ROWS).prefetch_related(
        "fees", "hours", "features", "service_area"
    )
    candidates = list(line.candidates.prefetch_related(Prefetch("resource", queryset=resources)))
    # A plan is read by professionals only: they see every rating's figure (directory.ratings).
    ratings = rating_figures([candidate.resource_id for candidate in candidates], public=False)
    answers = {}
    for recipient in (
        InquiryRecipient.objects.filter(inquiry__line=line).exclude(answer="").order_by("answered_at")
    ):
        answers[recipient.resource_id] = recipient  # the latest answer of each office wins
    groups = category_roots()
    rows = []
    pinned = 0
    for candidate in candidates:
        resource = candidate.resource
        pinned += resource.has_point
        added, line_cost = costs.candidate_month(plan, lines, this, resource)
        rows.append(
            Compared(
                candidate=candidate,
                resource=resource,
                distance_km=fit.distance_km(plan, resource),
                schedule=fit.schedule(line, resource),
                added_share_yen=added,
                line_cost=line_cost,
                eligibility=fit.eligibility(plan, resource),
                answer=answers.get(resource.pk),
                rating=ratings[resource.pk][0],
                rating_count=ratings[resource.pk][1],
                pin_number=pinned if resource.has_point else None,
                pin_group=groups.get(resource.primary_category_id, "default"),
            )
        )
    return rows


def search_query(plan, line, *, radius_km=15):
    """The search page's parameters that find providers for a line: the category wanted, the person's
    eligibility, and nearness to home (or the municipality) among those serving the municipality."""
    query = []
    if line.category_id:
        query.append(("category", line.category.slug))
    query += [("disability", group) for group in plan.disability_groups]
    if plan.support_level:
        query.append(("support_level", plan.support_level))
    query.append(("age", max(0, min(120, plan.age()))))
    if plan.has_point:
        query.append(("near", f"{plan.latitude},{plan.longitude}"))
    else:
        query.append(("near_address", plan.municipality.code))
    query += [("radius_km", radius_km), ("serves", plan.municipality.code), ("for_line", line.pk)]
    return query


@dataclass
class Block:
    entry: object
    row_start: int
    row_end: int


def week_columns(plan):
    """The 週間計画表 as columns (day label, blocks), each block placed on half-hour rows from 6:00 (row 1)
    to 4:00 (row 45). A time before 6:00 is read as the small hours; a span that runs past 4:00 into the
    morning is drawn twice, as the paper sheet does: to 4:00, and from 6:00 on the same day's column."""
    columns = {day: [] for day in ScheduleDay}
    last = DAY_HOURS * SLOTS_PER_HOUR + 1
    for entry in plan.schedule.select_related("line"):
        start = _slot(entry.starts)
        end = _slot(entry.ends)
        if start >= last:  # between 4:00 and 6:00: off the official sheet
            continue
        blocks = columns[ScheduleDay(entry.day)]
        if end <= start:  # past the sheet's end (21:30–7:00): to 4:00, and its morning part from 6:00
            if 1 < end < last:
                blocks.append(Block(entry, 1, end))
            end = last
        blocks.append(Block(entry, start, min(end, last)))
    return [(day.label, blocks) for day, blocks in columns.items()]


def _slot(moment):
    hours = moment.hour + moment.minute / 60
    if hours < DAY_START_HOUR:
        hours += 24
    return 1 + round((hours - DAY_START_HOUR) * SLOTS_PER_HOUR)


def hour_labels():
    return [((DAY_START_HOUR + n) % 24, 1 + n * SLOTS_PER_HOUR) for n in range(DAY_HOURS)]


def lines_choosing_resource():
    """How many plan lines chose the resource at OuterRef("pk") as their provider (a count only: the
    coordinator's queue learns no plan's content)."""
    lines = PlanLine.objects.filter(provider=OuterRef("pk")).order_by().values("provider")
    return Subquery(lines.annotate(n=Count("pk")).values("n"))


def unmet_lines_by_category(municipality_ids):
    """How many plan lines of people living in those municipalities are 未充足 (no provider found), by the
    line's service type: {category id: n}. Counts only: the coordinator's 地域診断 learns no plan's
    content."""
    lines = PlanLine.objects.filter(status=LineStatus.UNMET, plan__municipality_id__in=municipality_ids)
    counted = lines.exclude(category=None).order_by().values("category_id").annotate(n=Count("pk"))
    return {row["category_id"]: row["n"] for row in counted}
