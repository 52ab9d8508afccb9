from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from directory import selectors
from directory.models import Resource
from directory.roles import COORDINATOR, PLANNER, SERVICE_MANAGER, is_coordinator, is_professional, roles_of


@require_GET
def home(request):
    """One home page per role; the public get the plain-Japanese entry to the catalogue."""
    user = request.user
    roles = roles_of(user)
    context = {"catalogue": selectors.catalogue_counts(Resource.objects.visible_to(user))}
    if is_coordinator(user) or COORDINATOR in roles:
        context["coordinator"] = selectors.coordinator_dashboard()
    if SERVICE_MANAGER in roles:
        context["managed_resources"] = selectors.resources_managed_by(user)
    if PLANNER in roles:
        context["planner"] = True
    return render(request, "directory/home.html", context)


@require_GET
def resource_detail(request, pk):
    resource = get_object_or_404(
        Resource.objects.visible_to(request.user).select_related(
            "organization", "primary_category", "municipality__prefecture", "verified_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "directory/resource_detail.html",
        {
            "resource": resource,
            "latest_vacancy": resource.latest_vacancy(),
            "changes": selectors.resource_changes(resource, with_authors=is_professional(request.user)),
        },
    )
