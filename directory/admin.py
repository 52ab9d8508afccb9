"""The admin, for coordinators. Every write goes through directory.services, as the API's and the
importers' do, so that the search text, reading key, grid cell and latest vacancy follow each edit; entries
are closed, never deleted; another user's private entry is theirs alone here too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directory import services
from directory.choices import VerificationQueue, Visibility
from directory.models import (
    Category,
    Feature,
    Fee,
    Membership,
    Municipality,
    OpeningHours,
    Organization,
    Prefecture,
    Region,
    Resource,
    Vacancy,
)

# URLs typed without a scheme are read as https (Django 6 does so by default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def resources_in_admin(user):
    """What the admin lists and lets one pick: every entry but other users' private ones."""
    return Resource.objects.filter(~Q(visibility=Visibility.PRIVATE) | Q(owner=user))


def _became(unsaved, saved):
    """Let the admin's object stand for the row a service saved (the admin logs it and redirects to it)."""
    unsaved.pk = saved.pk
    unsaved._state.adding, unsaved._state.db = False, saved._state.db


class ServiceHistoryAdmin(SimpleHistoryAdmin):
    """The history of what the admin lists (another user's private entry is a 404 here too), to read: an
    old version is not restored from here, as a restore would write around the services. Edit instead."""

    def history_view(self, request, object_id, extra_context=None):
        self._listed_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._listed_or_404(request, object_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def _listed_or_404(self, request, object_id):
        if self.get_object(request, object_id) is None:
            raise Http404


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_kana"]
    search_fields = ["code", "name", "name_kana"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_kana", "prefecture"]
    list_filter = ["prefecture"]
    search_fields = ["code", "name", "name_kana"]
    list_select_related = ["prefecture"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(ServiceHistoryAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "corporate_number", "phone"]
    search_fields = ["name", "name_kana", "corporate_number"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            services.organization_update(organization=obj, by=request.user, **changed)
        else:
            _became(obj, services.organization_create(by=request.user, **form.cleaned_data))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "name_kana", "slug", "aliases"]

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            services.category_update(category=obj, **changed)
        else:
            _became(obj, services.category_create(**form.cleaned_data))


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "name_en"]
    search_fields = ["name", "slug"]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class VacancyInline(admin.TabularInline):
    """Reports are records: new ones are added (by the one signed in), the old ones are kept as they are."""

    model = Vacancy
    extra = 0
    fields = ["as_of", "places", "places_by_weekday", "note", "reported_by"]
    readonly_fields = ["reported_by"]
    ordering = ["-as_of"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class VerifiedFreshnessFilter(admin.SimpleListFilter):
    title = _("確認日")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return VerificationQueue.choices

    def queryset(self, request, queryset):
        """The coordinator's queues, as the home page counts them (Resource.objects.verification_due)."""
        if self.value() in VerificationQueue.values:
            return queryset.verification_due(self.value())
        return queryset


class ResourceAdminForm(forms.ModelForm):
    """A private entry with no owner is its writer's, as the service makes it: set before validation, so
    the rules that read the owner are checked on the form."""

    writer = None  # set by ResourceAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visibility") == Visibility.PRIVATE and not cleaned.get("owner"):
            cleaned["owner"] = self.writer
        return cleaned


@admin.register(Resource)
class ResourceAdmin(ServiceHistoryAdmin):
    form = ResourceAdminForm
    formfield_overrides = URL_FIELDS
    list_display = ["name", "primary_category", "municipality", "kind", "visibility", "status", "verified_at"]
    list_filter = ["kind", "visibility", "status", "source", VerifiedFreshnessFilter, "primary_category"]
    search_fields = ["name", "name_kana", "office_number", "address", "organization__name"]
    list_select_related = ["primary_category", "municipality"]
    autocomplete_fields = ["organization", "municipality", "owner", "verified_by"]
    filter_horizontal = ["categories", "service_area", "features"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [OpeningHoursInline, FeeInline, VacancyInline]
    actions = ["mark_verified"]
    fieldsets = [
        (None, {"fields": ["name", "name_kana", "kind", "organization", "primary_category", "categories"]}),
        (
            _("所在地"),
            {
                "fields": [
                    "office_number",
                    "postal_code",
                    "address",
                    "municipality",
                    "latitude",
                    "longitude",
                    "service_area",
                ]
            },
        ),
        (_("連絡先"), {"fields": ["phone", "fax", "email", "url", "description"]}),
        (
            _("利用"),
            {
                "fields": [
                    "closed_days",
                    "hours_note",
                    "capacity",
                    "features",
                    "accessibility_notes",
                    "languages",
                ]
            },
        ),
        (
            _("利用条件"),
            {
                "fields": [
                    "accepts_physical",
                    "accepts_intellectual",
                    "accepts_mental",
                    "accepts_developmental",
                    "accepts_intractable",
                    "accepts_child",
                    "min_support_level",
                    "min_age",
                    "max_age",
                    "eligibility_notes",
                ]
            },
        ),
        (_("公開と状態"), {"fields": ["visibility", "owner", "status"]}),
        (
            _("情報源と確認"),
            {
                "fields": [
                    "source",
                    "source_id",
                    "source_date",
                    "verified_at",
                    "verified_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.action(description=_("選択した資源を今日確認済みにする"))
    def mark_verified(self, request, queryset):
        for resource in queryset:
            services.resource_verify(resource=resource, by=request.user)
        self.message_user(request, _("%(count)d 件を確認済みにしました。") % {"count": queryset.count()})

    def get_queryset(self, request):
        return super().get_queryset(request) & resources_in_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # an entry that has closed is set to 廃止 and keeps its history

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"writer": request.user})

    def save_model(self, request, obj, form, change):
        """Nothing yet: save_related writes the entry, its lists and new vacancy reports through the
        services in one go."""

    def save_related(self, request, form, formsets, change):
        resource = form.instance
        fields = dict(form.cleaned_data)
        reports = None
        for formset in formsets:
            if formset.model is Vacancy:
                reports = formset
            else:
                fields[{Fee: "fees", OpeningHours: "hours"}[formset.model]] = _lines(formset)
        if change:
            services.resource_update(resource=resource, by=request.user, **fields)
        else:
            _became(resource, services.resource_create(by=request.user, **fields))
        if reports is not None:
            _report_vacancies(reports, resource, request.user)


def _lines(formset) -> list[dict]:
    """The fee or hours lines an inline formset leaves (for the service, which replaces them all), noting
    what changed for the admin's log as a saved formset would."""
    names = [name for name in formset.form.base_fields if name not in {"id", "DELETE", formset.fk.name}]
    lines, formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], [], []
    for form in formset.forms:
        if formset._should_delete_form(form):
            if form.instance.pk is not None:
                formset.deleted_objects.append(form.instance)
            continue
        if form.instance.pk is None and not form.has_changed():
            continue  # an empty extra row
        lines.append({name: form.cleaned_data.get(name) for name in names})
        if form.instance.pk is None:
            formset.new_objects.append(form.instance)
        elif form.has_changed():
            formset.changed_objects.append((form.instance, form.changed_data))
    return lines


def _report_vacancies(formset, resource, by):
    """The reports added in the inline, each through vacancy_report (which keeps the latest one)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.extra_forms:
        if form.has_changed():
            formset.new_objects.append(
                services.vacancy_report(resource=resource, by=by, **_report_fields(form.cleaned_data))
            )


def _report_fields(cleaned):
    return {
        "places": cleaned["places"],
        "as_of": cleaned["as_of"],
        "places_by_weekday": cleaned.get("places_by_weekday") or {},
        "note": cleaned.get("note") or "",
    }


@admin.register(Vacancy)
class VacancyAdmin(ServiceHistoryAdmin):
    """Reports are added (reported by the one signed in, through vacancy_report) and read, never changed
    or deleted: a correction is a newer report."""

    list_display = ["resource", "places", "as_of", "reported_by"]
    list_select_related = ["resource", "reported_by"]
    search_fields = ["resource__name"]
    autocomplete_fields = ["resource"]
    fields = ["resource", "as_of", "places", "places_by_weekday", "note", "reported_by"]
    readonly_fields = ["reported_by"]
    date_hierarchy = "as_of"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(resource__in=resources_in_admin(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "resource":
            kwargs["queryset"] = resources_in_admin(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _became(
            obj,
            services.vacancy_report(
                resource=obj.resource, by=request.user, **_report_fields(form.cleaned_data)
            ),
        )
