"""The coordinator's work outside the admin: the queues of entries to confirm, suggested edits and problem
reports. Coordinators only (403 to other users, the login page to anonymous ones)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from directory import exports, forms, selectors, services
from directory.choices import VerificationQueue
from directory.models import ProblemReport, SuggestedEdit
from directory.roles import is_coordinator

QUEUE_PAGE_SIZE = 50


def coordinator_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@coordinator_required
def verification_queue(request, queue):
    if queue not in VerificationQueue.values:
        raise Http404
    paginator = Paginator(selectors.resources_needing_verification(queue), QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "queue": VerificationQueue(queue),
        "queues": VerificationQueue,
        "page": page,
        "here": request.get_full_path(),
    }
    return render(request, "directory/verification_queue.html", context)


@require_GET
@coordinator_required
def coverage(request):
    """地域診断: where in a region each kind of service is missing, and the needs plans could not meet."""
    groups = selectors.category_groups()
    region = selectors.default_map_region()
    if region is None or not groups:
        return render(request, "directory/coverage.html", {"form": None})
    query = request.GET.copy()
    query.setdefault("region", region.slug)
    query.setdefault("group", groups[0][0])
    form = forms.CoverageForm(query, groups=groups)
    if not form.is_valid():
        return render(request, "directory/coverage.html", {"form": form}, status=400)
    region, group = form.cleaned_data["region"], form.cleaned_data["group"]
    municipalities, rows = selectors.coverage(region, group)
    if request.GET.get("format") == "csv":
        return exports.csv_response(
            coverage_csv_rows(municipalities, rows), filename=f"coverage-{region.slug}.csv"
        )
    context = {
        "form": form,
        "region": region,
        "municipalities": municipalities,
        "rows": rows,
        "missing": [row for row in rows if not row.offices],
        "unmet_shown_from": selectors.UNMET_SHOWN_FROM,
        "query": query.urlencode(),
    }
    return render(request, "directory/coverage.html", context)


def coverage_csv_rows(municipalities, rows):
    """The 地域診断 as a spreadsheet: the region's figures first, then a column a municipality."""
    towns = [town.name for town in municipalities]
    yield [_("種別"), _("圏域の計"), _("定員の計"), _("未充足の計画の行"), *towns]
    for row in rows:
        offices = [offices for _town, offices, _capacity in row.cells]
        yield [row.category.name, row.offices, row.capacity, row.unmet_shown(), *offices]


@require_GET
@coordinator_required
def corrections(request):
    return render(request, "directory/corrections.html", selectors.corrections_pending())


@require_POST
@coordinator_required
def decide_suggestion(request, pk, decision):
    if decision not in ("approve", "reject"):
        raise Http404
    suggestion = get_object_or_404(SuggestedEdit.objects.select_related("resource"), pk=pk)
    form = forms.DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = services.suggestion_approve if decision == "approve" else services.suggestion_reject
    try:
        decide(suggestion=suggestion, by=request.user, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("反映しました") if decision == "approve" else _("見送りました")
        messages.success(
            request, _("「%(name)s」への提案を%(done)s。") % {"name": suggestion.resource, "done": done}
        )
    return redirect("directory:corrections")


@require_POST
@coordinator_required
def resolve_problem(request, pk):
    report = get_object_or_404(ProblemReport.objects.unresolved(), pk=pk)
    services.problem_resolve(report=report, by=request.user)
    messages.success(request, _("「%(name)s」の報告を対応済みにしました。") % {"name": report.resource})
    return redirect("directory:corrections")
