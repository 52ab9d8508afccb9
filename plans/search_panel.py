"""The search page opened from a plan line (`/resources/?…&for_line=<id>`): a banner naming the line, and
in each result a button that puts it on the line's shortlist. Offered only to those who may edit the plan;
for anyone else the parameter does nothing and the page is the plain search."""

from directory.hooks import SearchPanel
from plans.models import Plan, PlanLine


def shortlist_panel(request):
    raw = request.GET.get("for_line", "")
    if not raw.isdigit():
        return None
    line = (
        PlanLine.objects.filter(pk=raw, plan__in=Plan.objects.editable_by(request.user))
        .select_related("plan", "category")
        .first()
    )
    if line is None:
        return None
    return SearchPanel(
        template="plans/search_panel.html",
        result_template="plans/search_result_action.html",
        context={
            "line": line,
            "shortlisted": set(line.candidates.values_list("resource_id", flat=True)),
            "next": request.get_full_path(),
        },
        keep=[("for_line", line.pk)],
    )
