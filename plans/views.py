"""The plan pages. Every plan is read through Plan.objects.for_user: anyone else gets a 404. Each page
that shows a plan records who opened it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory.models import Resource
from directory.roles import PLANNER, SERVICE_MANAGER, roles_of
from plans import costs, forms, ratings, selectors, services
from plans.choices import CandidateStatus
from plans.models import (
    Candidate,
    InformalSupport,
    InquiryRecipient,
    Monitoring,
    Plan,
    PlanLine,
    PlanView,
    ScheduleEntry,
)


def _plan(request, pk, *, page=None, edit=False):
    """The plan in the URL if the user may read it (404 otherwise), and may edit it when asked (403)."""
    plans = Plan.objects.for_user(request.user).select_related("owner", "municipality__prefecture")
    plan = get_object_or_404(plans, pk=pk)
    if edit and not Plan.objects.editable_by(request.user).filter(pk=plan.pk).exists():
        raise PermissionDenied(_("この計画は閲覧のみ共有されています。"))
    if page:
        services.plan_view_log(plan=plan, user=request.user, page=page)
    return plan


def _line(request, pk, *, edit=True):
    line = get_object_or_404(
        PlanLine.objects.filter(plan__in=Plan.objects.for_user(request.user)).select_related("category"),
        pk=pk,
    )
    line.plan = _plan(request, line.plan_id, edit=edit)
    return line


def _submit(request, form, write, template, context, success):
    """The form page: empty for a GET; for a POST validate, write through the service, then go to
    `success(result)`, else the form again with its errors (400). A service's ValidationError lands on the
    fields it names; nothing is half-saved."""
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(success(result))
    return render(request, template, {**context, "form": form}, status=400 if form.is_bound else 200)


def _data(request):
    """The POSTed fields, or None for a GET: an empty POST is still a submitted form."""
    return request.POST if request.method == "POST" else None


def _may_edit(request, plan):
    return Plan.objects.editable_by(request.user).filter(pk=plan.pk).exists()


@login_required
def plan_list(request):
    plans = Plan.objects.for_user(request.user).select_related("owner", "municipality")
    context = {"plans": plans, "may_create": PLANNER in roles_of(request.user)}
    return render(request, "plans/plan_list.html", context)


@login_required
def plan_create(request):
    if PLANNER not in roles_of(request.user):
        raise PermissionDenied(_("計画を作れるのは相談支援専門員です。"))
    form = forms.PlanForm(_data(request))
    return _submit(
        request,
        form,
        lambda data: services.plan_create(by=request.user, **data),
        "plans/plan_form.html",
        {},
        lambda plan: plan.get_absolute_url(),
    )


def plan_edit(request, pk):
    plan = _plan(request, pk, edit=True)
    form = forms.PlanForm(_data(request), instance=plan)
    plan = Plan.objects.get(
        pk=plan.pk
    )  # validating changes the form's instance; the service gets a fresh one
    return _submit(
        request,
        form,
        lambda data: services.plan_update(plan=plan, by=request.user, **data),
        "plans/plan_form.html",
        {"plan": plan},
        lambda plan: plan.get_absolute_url(),
    )


def plan_detail(request, pk):
    plan = _plan(request, pk, page="plan")
    lines = selectors.plan_lines(plan)
    context = {
        "plan": plan,
        "lines": lines,
        "cost": costs.plan_cost(plan, lines),
        "may_edit": _may_edit(request, plan),
        "is_owner": plan.owner_id == request.user.pk,
        "shares": plan.shares.select_related("user"),
        "share_form": forms.ShareForm(),
        "informal_supports": plan.informal_supports.all(),
        "monitorings": plan.monitorings.all(),
        "viewed": PlanView.objects.filter(plan=plan).select_related("user")[:20],
        "has_map_points": plan.home_point is not None,
    }
    return render(request, "plans/plan_detail.html", context)


@require_POST
def plan_share(request, pk):
    plan = _plan(request, pk)
    if plan.owner_id != request.user.pk:
        raise PermissionDenied(_("共有先を決められるのは作成担当者です。"))
    form = forms.ShareForm(request.POST)
    if form.is_valid():
        user = form.cleaned_data["username"]
        if request.POST.get("remove"):
            services.plan_unshare(plan=plan, by=request.user, user=user)
        else:
            try:
                services.plan_share(
                    plan=plan, by=request.user, user=user, can_edit=form.cleaned_data["can_edit"]
                )
            except ValidationError as error:
                form.add_error("username", error.messages[0])
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(plan.get_absolute_url() + "#shares")


def line_form(request, pk=None, plan_pk=None):
    """Add a row to the plan's table (plan_pk) or edit one (pk)."""
    line = _line(request, pk) if pk else PlanLine(plan=_plan(request, plan_pk, edit=True))
    plan = line.plan
    form = forms.PlanLineForm(_data(request), instance=line)
    context = {"plan": plan, "line": line if pk else None}
    if pk:
        line = PlanLine.objects.get(pk=pk)

        def write(data):
            return services.plan_line_update(line=line, by=request.user, **data)
    else:

        def write(data):
            return services.plan_line_add(plan=plan, by=request.user, **data)

    return _submit(
        request, form, write, "plans/line_form.html", context, lambda line: line.plan.get_absolute_url()
    )


def line_delete(request, pk):
    """Confirm, then delete a line and what hangs on it; a line others' records name is kept (409)."""
    line = _line(request, pk)
    kept_by = services.plan_line_kept_by(line)
    if request.method == "POST" and not kept_by:
        services.plan_line_delete(line=line, by=request.user)
        messages.success(request, _("行「%(need)s」を削除しました。") % {"need": line})
        return redirect(line.plan.get_absolute_url() + "#plan-lines")
    context = {
        "plan": line.plan,
        "line": line,
        "kept_by": kept_by,
        "candidates": line.candidates.count(),
        "schedule_entries": line.schedule_entries.count(),
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "plans/line_delete.html", context, status=status)


def line_find(request, pk):
    """ "Find providers": the search page, pre-filtered for this person and line, able to shortlist."""
    line = _line(request, pk)
    query = urlencode(selectors.search_query(line.plan, line))
    return redirect(f"{reverse('directory:resource-search')}?{query}")


@require_POST
def candidate_add(request, pk):
    line = _line(request, pk)
    resource = Resource.objects.visible_to(request.user).filter(pk=request.POST.get("resource")).first()
    if resource is None:
        messages.error(request, _("その資源は見つかりません。"))
    else:
        try:
            services.candidate_add(
                line=line, resource=resource, by=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("「%(name)s」を候補に追加しました。") % {"name": resource.name})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("plans:line-compare", args=[line.pk])
    return redirect(back)


def line_compare(request, pk):
    line = _line(request, pk, edit=False)
    plan = line.plan
    services.plan_view_log(plan=plan, user=request.user, page="compare")
    context = {
        "plan": plan,
        "line": line,
        "rows": selectors.compare(plan, line),
        "may_edit": _may_edit(request, plan),
        "inquiry_form": forms.InquiryForm(),
        "find_url": reverse("plans:line-find", args=[line.pk]),
        "status_choices": CandidateStatus.choices,
    }
    return render(request, "plans/compare.html", context)


def _candidate(request, pk):
    candidate = get_object_or_404(
        Candidate.objects.filter(line__plan__in=Plan.objects.for_user(request.user)).select_related("line"),
        pk=pk,
    )
    _plan(request, candidate.line.plan_id, edit=True)
    return candidate


@require_POST
def candidate_update(request, pk):
    candidate = _candidate(request, pk)
    form = forms.CandidateForm(
        request.POST, instance=Candidate(line=candidate.line, resource=candidate.resource)
    )
    if form.is_valid():
        services.candidate_update(candidate=candidate, by=request.user, **form.cleaned_data)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("plans:line-compare", args=[candidate.line_id]))


@require_POST
def candidate_choose(request, pk):
    candidate = _candidate(request, pk)
    services.candidate_choose(candidate=candidate, by=request.user)
    messages.success(
        request, _("「%(name)s」をこの行の提供事業者に決めました。") % {"name": candidate.resource.name}
    )
    return redirect(reverse("plans:line-compare", args=[candidate.line_id]))


@require_POST
def inquiry_send(request, pk):
    line = _line(request, pk)
    form = forms.InquiryForm(request.POST)
    if form.is_valid():
        try:
            inquiry = services.inquiry_send(line=line, by=request.user, message=form.cleaned_data["message"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(n)d か所に受け入れ照会を送りました。") % {"n": inquiry.recipients.count()}
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("plans:line-compare", args=[line.pk]))


def informal_create(request, pk):
    plan = _plan(request, pk, edit=True)
    form = forms.InformalSupportForm(_data(request), instance=InformalSupport(plan=plan))
    return _submit(
        request,
        form,
        lambda data: services.informal_support_add(plan=plan, by=request.user, **data),
        "plans/informal_form.html",
        {"plan": plan},
        lambda _s: plan.get_absolute_url(),
    )


def week(request, pk):
    """週間計画表: the schedule drawn on the official sheet's axis, with a form to add a block."""
    plan = _plan(request, pk, page="week" if request.method == "GET" else None, edit=request.method == "POST")
    form = forms.ScheduleEntryForm(_data(request), instance=ScheduleEntry(plan=plan))
    context = {
        "plan": plan,
        "columns": selectors.week_columns(plan),
        "hours": selectors.hour_labels(),
        "may_edit": _may_edit(request, plan),
        "notes_form": forms.WeekNotesForm(instance=plan),
    }
    return _submit(
        request,
        form,
        lambda data: services.schedule_entry_add(plan=plan, by=request.user, **data),
        "plans/week.html",
        context,
        lambda _e: reverse("plans:week", args=[plan.pk]),
    )


@require_POST
def week_notes(request, pk):
    plan = _plan(request, pk, edit=True)
    form = forms.WeekNotesForm(request.POST, instance=Plan.objects.get(pk=plan.pk))
    if form.is_valid():
        services.plan_update(plan=plan, by=request.user, **form.cleaned_data)
    return redirect(reverse("plans:week", args=[plan.pk]))


@require_POST
def week_from_lines(request, pk):
    plan = _plan(request, pk, edit=True)
    added = services.schedule_from_lines(plan=plan, by=request.user)
    messages.success(request, _("計画の行から %(n)d 件の予定を入れました。") % {"n": len(added)})
    return redirect(reverse("plans:week", args=[plan.pk]))


@require_POST
def schedule_delete(request, pk):
    entry = get_object_or_404(
        ScheduleEntry.objects.filter(plan__in=Plan.objects.for_user(request.user)), pk=pk
    )
    plan = _plan(request, entry.plan_id, edit=True)
    services.schedule_entry_delete(entry=entry, by=request.user)
    return redirect(reverse("plans:week", args=[plan.pk]))


def monitoring_create(request, pk):
    plan = _plan(request, pk, edit=True)
    lines = selectors.plan_lines(plan)
    data = _data(request)
    form = forms.MonitoringForm(data)
    reviews = [(line, forms.LineReviewForm(data, prefix=f"line-{line.pk}")) for line in lines]
    context = {"plan": plan, "form": form, "reviews": reviews}
    if request.method == "POST" and form.is_valid() and all(review.is_valid() for _line, review in reviews):
        try:
            monitoring = services.monitoring_record(
                plan=plan,
                by=request.user,
                reviews=[{"line": line, **review.cleaned_data} for line, review in reviews],
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect(monitoring.get_absolute_url())
    return render(request, "plans/monitoring_form.html", context, status=400 if form.is_bound else 200)


def monitoring_detail(request, pk):
    monitoring = get_object_or_404(
        Monitoring.objects.filter(plan__in=Plan.objects.for_user(request.user)).select_related("by"), pk=pk
    )
    plan = _plan(request, monitoring.plan_id, page="monitoring")
    reviews = list(monitoring.reviews.select_related("line", "provider"))
    for review in reviews:
        review.rating_url = ratings.rating_url(review)
    context = {
        "plan": plan,
        "monitoring": monitoring,
        "reviews": reviews,
        "may_edit": _may_edit(request, plan),
    }
    return render(request, "plans/monitoring_detail.html", context)


@login_required
def inquiry_list(request):
    """A service manager's page: the 受け入れ照会 sent to their organizations' offices, to answer."""
    if SERVICE_MANAGER not in roles_of(request.user):
        raise PermissionDenied(_("受け入れ照会に答えるのは事業所のサービス管理責任者です。"))
    recipients = (
        InquiryRecipient.objects.for_manager(request.user)
        .select_related("resource", "inquiry__category", "inquiry__municipality")
        .order_by("answered_at", "-inquiry__sent_at")
    )
    rows = [
        (recipient, forms.InquiryAnswerForm(instance=recipient, prefix=str(recipient.pk)))
        for recipient in recipients
    ]
    return render(request, "plans/inquiry_list.html", {"rows": rows})


@login_required
@require_POST
def inquiry_answer(request, pk):
    recipient = get_object_or_404(InquiryRecipient.objects.for_manager(request.user), pk=pk)
    form = forms.InquiryAnswerForm(request.POST, instance=InquiryRecipient.objects.get(pk=pk), prefix=str(pk))
    if form.is_valid():
        services.inquiry_answer(recipient=recipient, by=request.user, **form.cleaned_data)
        messages.success(request, _("回答しました。空き状況にも記録しました。"))
        return redirect(reverse("plans:inquiry-list"))
    rows = [(recipient, form)]
    return render(request, "plans/inquiry_list.html", {"rows": rows}, status=400)
