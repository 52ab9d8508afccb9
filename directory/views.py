from urllib.parse import urlsplit

from django.core.paginator import InvalidPage
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from directory import exports, hooks, selectors
from directory.filters import ResourceFilterSet
from directory.forms import RatingForm
from directory.models import Resource
from directory.pagination import SearchPaginator, without_page
from directory.ratings import rating_figures
from directory.roles import COORDINATOR, PLANNER, SERVICE_MANAGER, is_coordinator, is_professional, roles_of
from directory.throttling import throttle


@require_GET
def home(request):
    """One home page per role; the public get the plain-Japanese entry to the catalogue."""
    user = request.user
    roles = roles_of(user)
    context = {"catalogue": selectors.catalogue_counts(Resource.objects.visible_to(user))}
    if is_coordinator(user) or COORDINATOR in roles:
        context["coordinator"] = selectors.coordinator_dashboard()
    if SERVICE_MANAGER in roles:
        context["managed_resources"] = selectors.resources_managed_by(user).select_related("latest_vacancy")
    if PLANNER in roles:
        context["planner"] = True
    return render(request, "directory/home.html", context)


@require_GET
def resource_detail(request, pk):
    resource = get_object_or_404(
        Resource.objects.visible_to(request.user)
        .select_related(
            "organization",
            "primary_category",
            "municipality__prefecture",
            "verified_by",
            "latest_vacancy__reported_by",
        )
        .prefetch_related("hours"),  # read at the top of the page and again in its hours section
        pk=pk,
    )
    professional = is_professional(request.user)
    feedback = selectors.entry_feedback(resource, request.user)
    return render(
        request,
        "directory/resource_detail.html",
        {
            "resource": resource,
            "changes": selectors.resource_changes(resource, with_authors=professional),
            **feedback,
            "rating_form": RatingForm(rating=feedback["my_rating"]) if feedback["may_rate"] else None,
            "back_url": results_left(request),
        },
    )


def results_left(request):
    """Where 「一覧にもどる」 leads: the search or map this entry was opened from, else the search page."""
    referer = urlsplit(request.headers.get("referer", ""))
    came_from = referer.path + (f"?{referer.query}" if referer.query else "")
    lists = (reverse("directory:resource-search"), reverse("mapviews:resource-map"))
    if referer.netloc == request.get_host() and referer.path in lists:
        return came_from
    return reverse("directory:resource-search")


RESULTS_PER_PAGE = 20


def _search(request):
    resources = selectors.card_rows(Resource.objects.visible_to(request.user))
    return ResourceFilterSet(request.GET, queryset=resources, request=request)


@require_GET
def resource_search(request):
    """The professionals' search page: the filters as a form, results paginated, printable."""
    filterset = _search(request)
    form = filterset.form
    filterset.offer_choices()
    context = {
        "form": form,
        "primary_fields": [form[name] for name in filterset.PRIMARY_PARAMETERS],
        "more_fields": [field for field in form if field.name not in {"q", *filterset.PRIMARY_PARAMETERS}],
        "query_string": without_page(request.GET),
        "page": None,
        "panel": hooks.search_panel(request),
    }
    if not filterset.is_valid():
        return render(request, "directory/resource_search.html", context, status=400)
    context["applied"] = filterset.applied()
    paginator = SearchPaginator(filterset.qs, RESULTS_PER_PAGE)
    try:
        context["page"] = page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        context["page_error"] = _("page は 1 から %(last)d までの数です。") % {"last": paginator.num_pages}
        return render(request, "directory/resource_search.html", context, status=400)
    figures = rating_figures([row.pk for row in page], public=not is_professional(request.user))
    for row in page:
        row.rating, row.rating_count = figures.get(row.pk, (None, 0))
    return render(request, "directory/resource_search.html", context)


@require_GET
@throttle("csv")
def resource_search_csv(request):
    """The whole result set of a search as CSV (UTF-8 with BOM, so Excel reads the Japanese)."""
    filterset = _search(request)
    if not filterset.is_valid():
        return resource_search(request)  # the search page shows which parameter is wrong, with a 400
    base_url = request.build_absolute_uri("/")[:-1]
    return exports.resources_csv_response(filterset.qs, base_url=base_url, filename="resources.csv")
