"""What signed-in people do to an entry from its page: rate it, answer its ratings, keep it true (vacancy,
details, confirmation), suggest an edit, report a problem. Each page asks directory.rules and writes through
directory.services; a refused action is a 403, an entry the user may not see a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory import forms, rules, services
from directory.models import Rating, Resource


def _entry(request, pk, allowed=None):
    resource = get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("latest_vacancy", "organization"), pk=pk
    )
    if allowed is not None and not allowed(request.user, resource):
        raise PermissionDenied
    return resource


def _back(request, resource):
    """Where to go after an action: the `next` the form carried when it is ours, else the entry."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(resource)


def _form_page(request, template, resource, form, status=200, **context):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"resource": resource, "form": form, "next": next_url, **context}
    return render(request, f"directory/{template}", context, status=status)


def _apply(form, function, **arguments):
    """Call a write service; its field errors go onto the form (None when it refused)."""
    try:
        return function(**arguments)
    except ValidationError as error:
        fields = error.error_dict if hasattr(error, "error_dict") else {}
        for name, errors in fields.items():
            form.add_error(name if name in form.fields else None, errors)
        if not fields:
            form.add_error(None, error)
        return None


@login_required
def rate(request, pk):
    resource = _entry(request, pk, rules.may_rate)
    rating = Rating.objects.filter(resource=resource, user=request.user).first()
    # From a plan's モニタリング the form opens with 「実際の利用にもとづく」 ticked (plans.ratings).
    used = {"based_on_use": True} if rating is None and request.GET.get("based_on_use") == "1" else None
    form = forms.RatingForm(request.POST or None, rating=rating, initial=used)
    if request.method == "POST" and form.is_valid():
        if _apply(form, services.rating_save, resource=resource, by=request.user, **form.cleaned_data):
            messages.success(request, _("評価を保存しました。"))
            return redirect(resource.get_absolute_url() + "#ratings")
    status = 400 if form.errors else 200
    return _form_page(request, "rating_form.html", resource, form, status, rating=rating)


@login_required
@require_POST
def reply(request, pk):
    resource = _entry(request, pk, rules.may_reply)
    form = forms.ReplyForm(request.POST)
    if form.is_valid() and _apply(
        form, services.rating_reply_save, resource=resource, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("返信を保存しました。"))
        return redirect(resource.get_absolute_url() + "#ratings")
    return _form_page(request, "reply_form.html", resource, form, 400)


@login_required
def vacancy(request, pk):
    """Two clicks from the home page: the button opens this form with the last number filled in."""
    resource = _entry(request, pk, rules.may_edit)
    latest = resource.latest_vacancy
    form = forms.VacancyForm(request.POST or None, initial={"places": latest.places if latest else None})
    if request.method == "POST" and form.is_valid():
        if _apply(form, services.vacancy_report, resource=resource, by=request.user, **form.cleaned_data):
            messages.success(request, _("「%(name)s」の空き状況を更新しました。") % {"name": resource.name})
            return _back(request, resource)
    return _form_page(request, "vacancy_form.html", resource, form, 400 if form.errors else 200)


@login_required
def edit(request, pk):
    resource = _entry(request, pk, rules.may_edit)
    version = services.resource_version(resource)
    form = forms.ResourceDetailsForm(request.POST or None, instance=resource, initial={"version": version})
    if request.method == "POST" and form.is_valid():
        stored = Resource.objects.get(pk=pk)  # the form's cleaning wrote its values onto `resource`
        try:
            saved = _apply(
                form,
                services.resource_update,
                resource=stored,
                by=request.user,
                expected_versions={form.cleaned_data["version"]},
                **form.changes(),
            )
        except services.EditConflict:
            form.add_error(None, services.EDIT_CONFLICT_MESSAGE)
            return _form_page(request, "edit_form.html", stored, form, 409, conflict=True)
        if saved:
            messages.success(request, _("「%(name)s」の情報を保存しました。") % {"name": saved.name})
            return redirect(saved)
    return _form_page(request, "edit_form.html", resource, form, 400 if form.errors else 200)


@login_required
@require_POST
def verify(request, pk):
    """確認: the entry is still true as it stands. Records who and when; changes nothing else."""
    resource = _entry(request, pk, rules.may_edit)
    services.resource_verify(resource=resource, by=request.user)
    messages.success(request, _("「%(name)s」を確認済みにしました。") % {"name": resource.name})
    return _back(request, resource)


@login_required
def suggest(request, pk):
    resource = _entry(request, pk, rules.may_suggest)
    form = forms.SuggestionForm(request.POST or None, initial={"field": request.GET.get("field")})
    if request.method == "POST" and form.is_valid():
        if _apply(form, services.suggestion_create, resource=resource, by=request.user, **form.cleaned_data):
            messages.success(request, _("修正の提案を送りました。コーディネーターが確認します。"))
            return redirect(resource)
    return _form_page(request, "suggestion_form.html", resource, form, 400 if form.errors else 200)


@login_required
def report_problem(request, pk):
    resource = _entry(request, pk, rules.may_report_problem)
    form = forms.ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _apply(form, services.problem_report, resource=resource, by=request.user, **form.cleaned_data):
            messages.success(request, _("報告ありがとうございます。コーディネーターが確認します。"))
            return redirect(resource)
    return _form_page(request, "problem_form.html", resource, form, 400 if form.errors else 200)
