"""Every write to plans goes through these functions (DESIGN §4).

Each validates with full_clean() inside one transaction, so a bad value is a ValidationError naming the
field and nothing is half-saved. Who may write is the caller's question (`Plan.objects.editable_by`); these
functions keep the rules of the records themselves.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import services as directory_services
from directory.choices import ResourceKind
from directory.models import Resource
from plans import fit
from plans.choices import CandidateStatus, InquiryAnswer, LineStatus
from plans.models import (
    Candidate,
    InformalSupport,
    Inquiry,
    InquiryRecipient,
    LineReview,
    Monitoring,
    Plan,
    PlanLine,
    PlanShare,
    PlanView,
    ScheduleEntry,
)

HOME_POINT_DECIMALS = 3  # about 100 m: an approximate home point is all a plan keeps


def _save(instance, *, by, exclude=None):
    instance._history_user = by
    instance.full_clean(exclude=exclude)
    instance.save()
    return instance


def _assign(instance, fields, writer):
    for name, value in fields.items():
        if name in {"pk", "id", "owner", "plan", "created_at", "updated_at"} or not hasattr(instance, name):
            raise TypeError(f"{writer}() got an unknown field {name!r}")
        setattr(instance, name, value)


def _approximate(plan):
    if plan.latitude is not None and plan.longitude is not None:
        plan.latitude = round(plan.latitude, HOME_POINT_DECIMALS)
        plan.longitude = round(plan.longitude, HOME_POINT_DECIMALS)


@transaction.atomic
def plan_create(*, by, **fields) -> Plan:
    """A new plan (計画案 unless said otherwise) owned by `by`."""
    plan = Plan(owner=by, **fields)
    _approximate(plan)
    return _save(plan, by=by)


@transaction.atomic
def plan_update(*, plan: Plan, by, **fields) -> Plan:
    _assign(plan, fields, "plan_update")
    _approximate(plan)
    return _save(plan, by=by)


@transaction.atomic
def plan_share(*, plan: Plan, by, user, can_edit=False) -> PlanShare:
    """Share a plan with a colleague (or change what they may do with it)."""
    share = PlanShare.objects.filter(plan=plan, user=user).first() or PlanShare(plan=plan, user=user)
    share.can_edit = can_edit
    return _save(share, by=by)


@transaction.atomic
def plan_unshare(*, plan: Plan, by, user) -> None:
    PlanShare.objects.filter(plan=plan, user=user).delete()


def plan_view_log(*, plan: Plan, user, page: str) -> PlanView:
    """Record that `user` opened a page of the plan."""
    return PlanView.objects.create(plan=plan, user=user, page=page)


@transaction.atomic
def informal_support_add(*, plan: Plan, by, **fields) -> InformalSupport:
    return _save(InformalSupport(plan=plan, **fields), by=by)


@transaction.atomic
def plan_line_add(*, plan: Plan, by, **fields) -> PlanLine:
    """Add a row to the plan's table. A provider given at once makes the line 決定."""
    line = PlanLine(plan=plan, **fields)
    if "status" not in fields and line.supplier is not None:
        line.status = LineStatus.DECIDED
    return _save(line, by=by)


@transaction.atomic
def plan_line_update(*, line: PlanLine, by, **fields) -> PlanLine:
    _assign(line, fields, "plan_line_update")
    return _save(line, by=by)


def plan_line_kept_by(line: PlanLine) -> list[str]:
    """Why the line may not be deleted: the records of others that name it (a monitoring's evaluation, an
    inquiry a provider has received). Such a line is ended (status 終了), not deleted."""
    reasons = []
    if line.reviews.exists():
        reasons.append(_("モニタリングの評価"))
    if line.inquiries.exists():
        reasons.append(_("事業所への受け入れ照会"))
    return reasons


@transaction.atomic
def plan_line_delete(*, line: PlanLine, by) -> None:
    """Delete a line entered by mistake, with its candidates and its entries in the week (週間計画表)."""
    kept_by = plan_line_kept_by(line)
    if kept_by:
        raise ValidationError(
            _("この行には%(records)sの記録があるため削除できません。状況を「終了」にしてください。")
            % {"records": "・".join(kept_by)}
        )
    line._history_user = by
    line.delete()


@transaction.atomic
def schedule_entry_add(*, plan: Plan, by, **fields) -> ScheduleEntry:
    return _save(ScheduleEntry(plan=plan, **fields), by=by)


@transaction.atomic
def schedule_entry_delete(*, entry: ScheduleEntry, by) -> None:
    entry.delete()


@transaction.atomic
def schedule_from_lines(*, plan: Plan, by) -> list[ScheduleEntry]:
    """Put each line that has days and hours on the weekly schedule, where it is not already."""
    added = []
    for line in plan.lines.select_related("provider", "informal_support", "category"):
        if line.starts is None or not line.days:
            continue
        label = str(line.supplier or line.category or line.need)[:60]
        for day in line.days:
            exists = plan.schedule.filter(line=line, day=day, starts=line.starts, ends=line.ends).exists()
            if not exists:
                entry = ScheduleEntry(
                    plan=plan, line=line, day=day, starts=line.starts, ends=line.ends, label=label
                )
                added.append(_save(entry, by=by))
    return added


@transaction.atomic
def candidate_add(*, line: PlanLine, resource: Resource, by, reason="") -> Candidate:
    """Put a catalogue entry the writer may see on a line's shortlist."""
    if not Resource.objects.visible_to(by).filter(pk=resource.pk).exists():
        raise ValidationError({"resource": _("この資源は候補にできません。")})
    if line.support_kind == ResourceKind.INFORMAL and resource.kind == ResourceKind.FORMAL:
        raise ValidationError({"resource": _("インフォーマルの行には事業所を候補にできません。")})
    candidate = _save(Candidate(line=line, resource=resource, reason=reason, added_by=by), by=by)
    if line.status == LineStatus.SEARCHING:
        line.status = LineStatus.CANDIDATES
        _save(line, by=by)
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, by, **fields) -> Candidate:
    for name in fields:
        if name not in {"reason", "status"}:
            raise TypeError(f"candidate_update() got an unknown field {name!r}")
    if fields.get("status") == CandidateStatus.CHOSEN:
        return candidate_choose(candidate=candidate, by=by, reason=fields.get("reason"))
    _assign(candidate, fields, "candidate_update")
    return _save(candidate, by=by)


@transaction.atomic
def candidate_choose(*, candidate: Candidate, by, reason=None) -> Candidate:
    """Choose a candidate: it becomes the line's provider and the line is 決定."""
    line = candidate.line
    for other in line.candidates.filter(status=CandidateStatus.CHOSEN).exclude(pk=candidate.pk):
        other.status = CandidateStatus.CANDIDATE
        _save(other, by=by)
    candidate.status = CandidateStatus.CHOSEN
    if reason is not None:
        candidate.reason = reason
    _save(candidate, by=by)
    line.provider, line.informal_support = candidate.resource, None
    line.status = LineStatus.DECIDED
    _save(line, by=by)
    return candidate


@transaction.atomic
def monitoring_record(*, plan: Plan, by, reviews=(), **fields) -> Monitoring:
    """A モニタリング報告書: the whole plan's review and, per line, a dict of LineReview fields
    with its `line`."""
    monitoring = _save(Monitoring(plan=plan, by=by, **fields), by=by)
    errors = {}
    for review in reviews:
        line = review["line"]
        if line.plan_id != plan.pk:
            raise ValidationError({"line": _("この計画の行ではありません。")})
        row = LineReview(monitoring=monitoring, provider=line.provider, **review)
        try:
            row.full_clean()
        except ValidationError as error:
            errors.update(
                {f"line-{line.pk}-{name}": messages for name, messages in error.message_dict.items()}
            )
            continue
        row.save()
    if errors:
        raise ValidationError(errors)
    return monitoring


@transaction.atomic
def inquiry_send(*, line: PlanLine, by, message="") -> Inquiry:
    """One 受け入れ照会 to every candidate of the line not 辞退 or 決定: only the age band, groups, 区分, the
    days and hours wanted and the municipality; never the name, birth year or home point."""
    plan = line.plan
    candidates = list(line.candidates.exclude(status__in=[CandidateStatus.DECLINED, CandidateStatus.CHOSEN]))
    if not candidates:
        raise ValidationError({"line": _("照会できる候補がありません。先に候補を追加してください。")})
    inquiry = _save(
        Inquiry(
            line=line,
            sent_by=by,
            category=line.category,
            age_band=fit.age_band(plan.age()),
            disability_groups=list(plan.disability_groups),
            support_level=plan.support_level,
            days=list(line.days),
            starts=line.starts,
            ends=line.ends,
            amount=line.amount,
            municipality=plan.municipality,
            message=message,
        ),
        by=by,
    )
    for candidate in candidates:
        InquiryRecipient.objects.create(inquiry=inquiry, resource=candidate.resource)
        if candidate.status == CandidateStatus.CANDIDATE:
            candidate.status = CandidateStatus.INQUIRING
            _save(candidate, by=by)
    return inquiry


@transaction.atomic
def inquiry_answer(*, recipient: InquiryRecipient, by, answer, places=None, meet_on=None, note=""):
    """A service manager's answer. It counts as a vacancy report for the office (the places free now;
    0 for 不可)."""
    recipient.answer = answer
    recipient.places = places
    recipient.meet_on = meet_on
    recipient.note = note
    recipient.answered_by = by
    recipient.answered_at = timezone.now()
    _save(recipient, by=by)
    free = 0 if answer == InquiryAnswer.DECLINE else (places or 0)
    directory_services.vacancy_report(
        resource=recipient.resource, by=by, places=free, note="受け入れ照会への回答"
    )
    return recipient
