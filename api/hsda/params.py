"""Query parameters of the HSDA endpoints.

Each endpoint validates its parameters with one serializer: a bad value answers 400 with the parameter's
name and why. A parameter of the HSDA specification this profile does not implement is refused the same
way rather than ignored. Ids that are well formed but name nothing are refused too, as the search refuses
an unknown category.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.fields import CalendarDateTimeField
from directory import hsds, search
from directory.filters import MAX_RADIUS_KM, PointField, ResourceFilterSet
from directory.models import Category

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
MIN_RADIUS_M = 100
MAX_RADIUS_M = MAX_RADIUS_KM * 1000
# The search's own parameters each HSDA parameter is answered with, to name the right one in an error.
SEARCH_PARAMETERS = {
    "q": "search",
    "category": "taxonomy_term_id",
    "feature": "taxonomy_term_id",
    "near": "proximity",
    "radius_km": "proximity",
}


def validated(params_class, request) -> dict:
    params = params_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema_field(OpenApiTypes.STR)
class UnsupportedParameter(serializers.Field):
    """A parameter of the HSDA specification this profile does not implement: refused, never ignored."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False, help_text=_("このプロファイルでは使えません（指定すると 400）。"), **kwargs
        )

    def to_internal_value(self, data):
        raise ValidationError(_("このパラメータには対応していません。"))


class HsdsIdField(serializers.UUIDField):
    """An HSDS id, resolved by `find` to what it names."""

    def __init__(self, find, **kwargs):
        self.find = find
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data):
        found = self.find(super().to_internal_value(data))
        if found is None:
            raise ValidationError(_("この id のものはありません。"))
        return found


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?,\d+(\.\d+)?$",
        "example": "36.6486,138.1944,5000",
    }
)
class ProximityField(serializers.CharField):
    """`latitude,longitude,meters`: the point as the search's `near` reads it, and a radius in metres."""

    message = _(
        "「緯度,経度,半径（m）」の形で指定してください（例: 36.6486,138.1944,5000）。"
        "半径は%(min)s〜%(max)s m です。"
    )

    def to_internal_value(self, data):
        point, _comma, meters = super().to_internal_value(data).rpartition(",")
        try:
            latitude, longitude = PointField().clean(point)
            radius_km = float(meters) / 1000
        except (DjangoValidationError, TypeError, ValueError):
            radius_km = None
        if radius_km is None or not MIN_RADIUS_M / 1000 <= radius_km <= MAX_RADIUS_KM:
            raise ValidationError(self.message % {"min": MIN_RADIUS_M, "max": MAX_RADIUS_M})
        return latitude, longitude, radius_km


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(
        default=1, min_value=1, max_value=MAX_PAGE, help_text=_("ページ番号（1から）")
    )
    per_page = serializers.IntegerField(
        default=DEFAULT_PER_PAGE,
        min_value=1,
        max_value=MAX_PER_PAGE,
        help_text=_("1ページの件数（最大100）"),
    )


class SearchParams(PageParams):
    search = serializers.CharField(
        required=False,
        allow_blank=True,  # an empty search is no search, as on the search page
        max_length=200,
        help_text=_("キーワード。全角・半角、ひらがな・カタカナ、大文字・小文字を区別しません。"),
    )


class TaxonomyTermParams(SearchParams):
    taxonomy_id = HsdsIdField(hsds.find_taxonomy, help_text=_("この分類体系の用語だけ"))
    parent_id = HsdsIdField(hsds.find_taxonomy_term, help_text=_("この用語のすぐ下の用語だけ"))
    top_only = serializers.BooleanField(default=False, help_text=_("最上位の用語だけ"))


class ResourceParams(SearchParams):
    taxonomy_term_id = HsdsIdField(
        hsds.find_taxonomy_term, help_text=_("この用語（下位の用語を含む）の付いた社会資源のもの")
    )
    taxonomy_id = HsdsIdField(hsds.find_taxonomy, help_text=_("この分類体系の用語が付いた社会資源のもの"))
    full = UnsupportedParameter()


class OrganizationParams(ResourceParams):
    full_service = UnsupportedParameter()


class ServiceParams(ResourceParams):
    organization_id = HsdsIdField(hsds.organization_condition, help_text=_("この組織が提供するもの"))
    modified_after = CalendarDateTimeField(required=False, help_text=_("この日時以降に更新されたもの"))
    proximity = ProximityField(
        required=False,
        help_text=_(
            "「緯度,経度,半径（m）」: この地点から半径内のもの（近い順）。郵便番号の重心は使えません。"
        ),
    )
    minimal = UnsupportedParameter()
    postcode = UnsupportedParameter()


def filter_resources(resources, params):
    """The listed resources the parameters ask for. Text, taxonomy terms and distance go through the
    search's own FilterSet (kana and width folding, the category tree, the distance index and order)."""
    data = MultiValueDict()
    if "search" in params:
        data["q"] = params["search"]
    term = params.get("taxonomy_term_id")
    if term is not None:
        data.setlist("category" if isinstance(term, Category) else "feature", [term.slug])
    if "proximity" in params:
        latitude, longitude, radius_km = params["proximity"]
        data.update({"near": f"{latitude},{longitude}", "radius_km": str(radius_km)})
    filterset = ResourceFilterSet(data, queryset=resources)
    if not filterset.is_valid():
        raise ValidationError({SEARCH_PARAMETERS.get(name, name): e for name, e in filterset.errors.items()})
    resources = filterset.qs
    if "taxonomy_id" in params:
        resources = resources.filter(hsds.taxonomy_condition(params["taxonomy_id"]))
    if "organization_id" in params:
        resources = resources.filter(params["organization_id"])
    if "modified_after" in params:
        resources = resources.filter(updated_at__gte=params["modified_after"])
    return resources


def filter_terms(items, params):
    """The taxonomies or taxonomy terms (few, held in memory as HSDS objects) the parameters ask for."""
    if "taxonomy_id" in params:
        items = [item for item in items if item["taxonomy_id"] == params["taxonomy_id"]["id"]]
    if "parent_id" in params:
        parent_id = hsds.taxonomy_term(params["parent_id"])["id"]
        items = [item for item in items if item.get("parent_id") == parent_id]
    if params.get("top_only"):
        items = [item for item in items if "parent_id" not in item]
    terms = [search.term_alternatives(term) for term in search.query_terms(params.get("search", ""))]
    return [
        item for item in items if all(any(word in _searchable(item) for word in words) for words in terms)
    ]


def _searchable(item) -> str:
    return search.normalize(" ".join(item.get(name, "") for name in ("code", "name", "description")))
