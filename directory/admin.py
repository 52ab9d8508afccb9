from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directory import services
from directory.choices import VerificationQueue
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
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "corporate_number", "phone"]
    search_fields = ["name", "name_kana", "corporate_number"]
    inlines = [MembershipInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "name_kana", "slug", "aliases"]


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
    model = Vacancy
    extra = 0
    fields = ["as_of", "places", "places_by_weekday", "note", "reported_by"]
    autocomplete_fields = ["reported_by"]
    ordering = ["-as_of"]


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


@admin.register(Resource)
class ResourceAdmin(SimpleHistoryAdmin):
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


@admin.register(Vacancy)
class VacancyAdmin(SimpleHistoryAdmin):
    list_display = ["resource", "places", "as_of", "reported_by"]
    list_select_related = ["resource", "reported_by"]
    search_fields = ["resource__name"]
    autocomplete_fields = ["resource", "reported_by"]
    date_hierarchy = "as_of"
