"""Serializers only shape data; rules live in directory.services and the models."""

from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.fields import CalendarDateTimeField
from directory.choices import DisabilityGroup, Freshness, RatingCriterion, ResourceKind, ResourceStatus
from directory.models import (
    Category,
    Feature,
    Fee,
    Municipality,
    OpeningHours,
    Organization,
    Rating,
    Region,
    Resource,
    Vacancy,
)
from directory.ratings import rating_summary
from directory.roles import is_professional

RESOURCE_DETAIL_VIEW = "api:resource-detail"


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Category
        fields = ["slug", "code", "name", "name_kana", "name_en", "kind", "parent", "aliases"]


class MunicipalitySerializer(serializers.ModelSerializer):
    prefecture = serializers.CharField(source="prefecture.code", read_only=True)
    prefecture_name = serializers.CharField(source="prefecture.name", read_only=True)

    class Meta:
        model = Municipality
        fields = ["code", "name", "name_kana", "prefecture", "prefecture_name", "latitude", "longitude"]


class RegionSerializer(serializers.ModelSerializer):
    municipalities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Region
        fields = ["slug", "name", "description", "municipalities"]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "name_kana", "corporate_number", "address", "phone", "url", "updated_at"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]


class MunicipalityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["code", "name"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["kind", "amount_yen", "unit", "description"]


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$", "example": "08:30:00"}
)
class TimeOfDayField(serializers.TimeField):
    """A local time of day, HH:MM[:SS]. OpenAPI's `format: time` is RFC 3339's full-time, which carries a UTC
    offset; opening hours have none, so the schema gives the pattern instead."""


class OpeningHoursSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: TimeOfDayField,
    }

    class Meta:
        model = OpeningHours
        fields = ["day_type", "opens", "closes", "text"]


class VacancySerializer(serializers.ModelSerializer):
    """A vacancy report. Once older than VACANCY_FRESH_DAYS its figures are null (unknown): an old number
    is never given as if it still held; `as_of` says when the last report was."""

    places = serializers.SerializerMethodField()
    places_by_weekday = serializers.SerializerMethodField()
    is_fresh = serializers.SerializerMethodField()

    class Meta:
        model = Vacancy
        fields = ["places", "places_by_weekday", "as_of", "is_fresh", "note"]

    def get_places(self, vacancy) -> int | None:
        return vacancy.current_places(self.context.get("now"))

    def get_places_by_weekday(self, vacancy) -> dict[str, int] | None:
        return vacancy.places_by_weekday if vacancy.is_fresh(self.context.get("now")) else None

    def get_is_fresh(self, vacancy) -> bool:
        return vacancy.is_fresh(self.context.get("now"))


class CriterionSummarySerializer(serializers.Serializer):
    criterion = serializers.CharField()
    score = serializers.FloatField(source="smoothed", allow_null=True)
    count = serializers.IntegerField()


class RatingSummarySerializer(serializers.Serializer):
    score = serializers.FloatField(source="smoothed", allow_null=True)
    count = serializers.IntegerField()
    latest = serializers.DateTimeField(allow_null=True)
    based_on_use = serializers.IntegerField()
    criteria = CriterionSummarySerializer(many=True)


class RatingSerializer(serializers.ModelSerializer):
    """One professional's rating with its comment: for professionals only."""

    user = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = Rating
        fields = [*RatingCriterion.values, "comment", "based_on_use", "user", "updated_at"]


class DetailUrlField(serializers.HyperlinkedIdentityField):
    """The resource's API URL, reversed once per response rather than once per row."""

    def get_url(self, obj, view_name, request, format):
        template = self.context.get("_detail_url_template")
        if template is None:
            url = super().get_url(_Placeholder(), view_name, request, format)
            template = url.replace(str(_Placeholder.pk), "{}")
            self.context["_detail_url_template"] = template
        return template.format(obj.pk)


class _Placeholder:
    pk = 987654321


class ResourceRowsSerializer(serializers.ListSerializer):
    """A page of search results, written out row by row without DRF's per-field machinery.

    DRF builds a ModelSerializer's fields anew for every response and walks them for every row: about
    5 ms a response and 0.2 ms a row, half of a search request (measured with `benchmark_search`). The
    child, ResourceListSerializer, still declares the fields — the API schema is made from it — and
    tests/test_api.py checks that these rows equal what the child gives row by row."""

    datetime_field = serializers.DateTimeField()  # formats as DRF does (time zone, ISO 8601); no state

    def to_representation(self, data):
        url_field = DetailUrlField(view_name=RESOURCE_DETAIL_VIEW)  # one reverse() a response
        url_field.bind("url", self)
        now = self.context.setdefault("now", timezone.now())
        request = self.context.get("request")
        return [self.row(resource, url_field.get_url(resource, url_field.view_name, request, None), now)
                for resource in data]  # fmt: skip

    def row(self, resource, url, now):
        category, municipality, vacancy = (
            resource.primary_category,
            resource.municipality,
            resource.latest_vacancy,
        )
        distance = getattr(resource, "distance_km", None)
        return {
            "id": resource.pk,
            "url": url,
            "name": resource.name,
            "name_kana": resource.name_kana,
            "kind": resource.kind,
            "primary_category": {"slug": category.slug, "name": category.name},
            "organization": resource.organization.name if resource.organization else None,
            "office_number": resource.office_number,
            "address": resource.address,
            "municipality": {"code": municipality.code, "name": municipality.name} if municipality else None,
            "latitude": resource.latitude,
            "longitude": resource.longitude,
            "distance_km": None if distance is None else round(distance, 2),
            "phone": resource.phone,
            "capacity": resource.capacity,
            "monthly_fee_yen": resource.monthly_fee_yen,
            "fees": [
                {
                    "kind": fee.kind,
                    "amount_yen": fee.amount_yen,
                    "unit": fee.unit,
                    "description": fee.description,
                }
                for fee in resource.fees.all()
            ],
            "latest_vacancy": vacancy
            and {
                "places": vacancy.current_places(now),
                "places_by_weekday": vacancy.places_by_weekday if vacancy.is_fresh(now) else None,
                "as_of": self.datetime(vacancy.as_of),
                "is_fresh": vacancy.is_fresh(now),
                "note": vacancy.note,
            },
            "status": resource.status,
            "visibility": resource.visibility,
            "verified_at": self.datetime(resource.verified_at),
            "verified_is_fresh": resource.is_verified_fresh(now),
            "verified_freshness": resource.verification_freshness(now).value,
            "updated_at": self.datetime(resource.updated_at),
        }

    def datetime(self, value):
        return None if value is None else self.datetime_field.to_representation(value)


class ResourceListSerializer(serializers.ModelSerializer):
    url = DetailUrlField(view_name=RESOURCE_DETAIL_VIEW)
    primary_category = CategoryRefSerializer(read_only=True)
    organization = serializers.CharField(
        source="organization.name", default=None, read_only=True, allow_null=True
    )
    municipality = MunicipalityRefSerializer(read_only=True, allow_null=True)
    fees = FeeSerializer(many=True, read_only=True)
    latest_vacancy = VacancySerializer(read_only=True, allow_null=True)
    distance_km = serializers.SerializerMethodField()
    verified_is_fresh = serializers.SerializerMethodField()
    verified_freshness = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id", "url", "name", "name_kana", "kind", "primary_category", "organization", "office_number",
            "address", "municipality", "latitude", "longitude", "distance_km", "phone", "capacity",
            "monthly_fee_yen", "fees", "latest_vacancy", "status", "visibility", "verified_at",
            "verified_is_fresh", "verified_freshness", "updated_at",
        ]  # fmt: skip
        list_serializer_class = ResourceRowsSerializer

    def get_distance_km(self, resource) -> float | None:
        distance = getattr(resource, "distance_km", None)
        return None if distance is None else round(distance, 2)

    def get_verified_is_fresh(self, resource) -> bool:
        return resource.is_verified_fresh(self.context.setdefault("now", timezone.now()))

    @extend_schema_field(serializers.ChoiceField(choices=Freshness.values))
    def get_verified_freshness(self, resource) -> str:
        """fresh (within VERIFIED_FRESH_MONTHS), aging (within VERIFIED_STALE_MONTHS), stale or never."""
        return resource.verification_freshness(self.context.setdefault("now", timezone.now())).value


class ResourceDetailSerializer(ResourceListSerializer):
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    features = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    service_area = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    hours = OpeningHoursSerializer(many=True, read_only=True)
    disability_groups = serializers.SerializerMethodField()
    organization = OrganizationSerializer(read_only=True, allow_null=True)
    website = serializers.URLField(source="url", read_only=True, allow_blank=True)
    rating = serializers.SerializerMethodField()

    class Meta(ResourceListSerializer.Meta):
        list_serializer_class = serializers.ListSerializer
        fields = [
            *ResourceListSerializer.Meta.fields,
            "categories", "postal_code", "service_area", "fax", "email", "website", "description", "hours",
            "closed_days", "hours_note", "disability_groups", "min_support_level", "min_age", "max_age",
            "eligibility_notes", "features", "accessibility_notes", "languages", "source", "source_id",
            "source_date", "created_at", "rating",
        ]  # fmt: skip

    def get_disability_groups(self, resource) -> list[str]:
        return [group.value for group in resource.disability_groups]

    @extend_schema_field(RatingSummarySerializer(allow_null=True))
    def get_rating(self, resource):
        """The professionals' ratings, smoothed toward the category's mean; null for the public where fewer
        than RATING_PUBLIC_MIN_RATERS rated. Never the comments: see /ratings/ (professionals only)."""
        request = self.context.get("request")
        public = request is None or not is_professional(request.user)
        summary = rating_summary(resource, public=public)
        return RatingSummarySerializer(summary).data if summary.shown else None


# ---------------------------------------------------------------- ?format=geojson, for the API schema only
# directory.exports.resources_geojson writes the collection; these classes document its shape.


def geojson_type(name):
    """GeoJSON's `type` member, which always holds `name`."""
    field_class = type(f"{name}TypeField", (serializers.CharField,), {"__doc__": f'Always "{name}".'})
    return extend_schema_field({"type": "string", "enum": [name]})(field_class)()


class PointSerializer(serializers.Serializer):
    type = geojson_type("Point")
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[longitude, latitude]"
    )


class ResourceFeaturePropertiesSerializer(serializers.Serializer):
    name = serializers.CharField()
    name_kana = serializers.CharField()
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    category = serializers.CharField(help_text="slug")
    category_name = serializers.CharField()
    municipality = serializers.CharField(allow_null=True, help_text="6-digit code")
    address = serializers.CharField()
    phone = serializers.CharField()
    capacity = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=ResourceStatus.choices)
    vacancy_places = serializers.IntegerField(allow_null=True)
    vacancy_as_of = serializers.DateTimeField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    url = serializers.URLField(help_text="the public page")


class ResourceFeatureSerializer(serializers.Serializer):
    type = geojson_type("Feature")
    id = serializers.IntegerField()
    geometry = PointSerializer()
    properties = ResourceFeaturePropertiesSerializer()


@extend_schema_serializer(many=False)
class ResourceFeatureCollectionSerializer(serializers.Serializer):
    """GeoJSON (RFC 7946) of every matching resource that has a point, at most 10,000."""

    type = geojson_type("FeatureCollection")
    features = ResourceFeatureSerializer(many=True)
    total = serializers.IntegerField(help_text="resources that match")
    without_coordinates = serializers.IntegerField(help_text="of those, how many have no point")
    truncated = serializers.BooleanField(help_text="true when more features match than are given")


# ---------------------------------------------------------------- request bodies


class VacancyReportSerializer(serializers.Serializer):
    """The body of a vacancy report; the resource comes from the URL and the reporter is the caller."""

    places = serializers.IntegerField(min_value=0, max_value=32767)
    as_of = CalendarDateTimeField(required=False)
    places_by_weekday = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ResourceWriteSerializer(serializers.ModelSerializer):
    """The body of a create or an edit. It checks shapes and references; the model's rules are checked by
    directory.services, whose ValidationError the view turns into a 400 naming the field."""

    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False
    )
    primary_category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    categories = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), many=True, required=False
    )
    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all(), allow_null=True, required=False
    )
    service_area = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all(), many=True, required=False
    )
    features = serializers.SlugRelatedField(
        slug_field="slug", queryset=Feature.objects.all(), many=True, required=False
    )
    website = serializers.URLField(source="url", required=False, allow_blank=True, max_length=200)
    disability_groups = serializers.MultipleChoiceField(choices=DisabilityGroup.choices, required=False)
    fees = FeeSerializer(many=True, required=False)
    hours = OpeningHoursSerializer(many=True, required=False)

    class Meta:
        model = Resource
        fields = [
            "name", "name_kana", "kind", "organization", "primary_category", "categories", "office_number",
            "postal_code", "address", "municipality", "latitude", "longitude", "service_area", "phone", "fax",
            "email", "website", "description", "closed_days", "hours_note", "capacity", "disability_groups",
            "min_support_level", "min_age", "max_age", "eligibility_notes", "features", "accessibility_notes",
            "languages", "visibility", "status", "fees", "hours",
        ]  # fmt: skip
        validators = []  # uniqueness is the service's full_clean(), in the same transaction as the write
