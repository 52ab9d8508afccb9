"""The one FilterSet for resources, shared by the HTML search page, the REST API and the maps.

The parameter names are the public interface. A bad value of any of them is a form error keyed by the
parameter, which the pages show on the form and the API answers with 400; none is silently ignored.
"""

import copy
from datetime import timedelta
from decimal import Decimal

import django_filters as filters
from django import forms
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from directory import geo, search, selectors
from directory.choices import DisabilityGroup, FeeKind, ResourceKind, ResourceStatus
from directory.models import Category, Feature, Fee, Municipality, OpeningHours, Prefecture, Region, Resource
from directory.roles import is_professional

DEFAULT_RADIUS_KM = 10
MAX_RADIUS_KM = 100
DAYS = [
    ("mon", _("月曜")),
    ("tue", _("火曜")),
    ("wed", _("水曜")),
    ("thu", _("木曜")),
    ("fri", _("金曜")),
    ("sat", _("土曜")),
    ("sun", _("日曜")),
    ("holiday", _("祝日")),
]
DAY_TYPE_OF = {"mon": "weekday", "tue": "weekday", "wed": "weekday", "thu": "weekday", "fri": "weekday",
               "sat": "saturday", "sun": "sunday", "holiday": "holiday"}  # fmt: skip
# Words of a keyword search that name days: 「放デイ 土曜」 means open on Saturday. Such a word matches where
# the entry is open on one of those day types, or where its text has the word (「土日も送迎」), as before.
# Keys are normalised like every search term (search.normalize: NFKC, katakana, lower case).
DAY_WORDS = {
    **dict.fromkeys(["平日", "ヘイジツ"], ("weekday",)),
    **dict.fromkeys(["土曜", "土曜日", "ドヨウ", "ドヨウビ"], ("saturday",)),
    **dict.fromkeys(["日曜", "日曜日", "ニチヨウ", "ニチヨウビ"], ("sunday",)),
    **dict.fromkeys(["祝日", "祝祭日", "シュクジツ"], ("holiday",)),
    **dict.fromkeys(["土日", "週末", "シュウマツ"], ("saturday", "sunday")),
    **dict.fromkeys(["休日", "土日祝", "土日祝日", "キュウジツ"], ("saturday", "sunday", "holiday")),
    **dict.fromkeys(["月曜", "火曜", "水曜", "木曜", "金曜"], ("weekday",)),
    **dict.fromkeys(["月曜日", "火曜日", "水曜日", "木曜日", "金曜日"], ("weekday",)),
}
ORDERINGS = {
    "distance": (_("近い順"), [F("distance_km").asc(), "pk"]),
    "name_kana": (_("よみがな順"), ["reading", "name", "pk"]),
    "-verified_at": (_("確認日の新しい順"), [F("verified_at").desc(nulls_last=True), "-pk"]),
    "-capacity": (_("定員の多い順"), [F("capacity").desc(nulls_last=True), "pk"]),
    "-updated_at": (_("更新の新しい順"), ["-updated_at", "-pk"]),
    "-rating": (_("評価の高い順"), [F("rating").desc(nulls_last=True), "pk"]),
}


# Error messages are built when the module loads but must speak the language of each request: format_lazy
# keeps them lazy until a form renders them.
def invalid_choice_message(choices):
    allowed = ", ".join(str(value) for value, _label in choices)
    return format_lazy("{}{}", _("「%(value)s」は使えません。使える値: "), allowed)


def number_messages(minimum, maximum, unit=None):
    if unit is None:
        text = format_lazy(
            _("{minimum}以上{maximum}以下の数で指定してください。"), minimum=minimum, maximum=maximum
        )
    else:
        text = format_lazy(
            _("{minimum}以上{maximum}以下の数で指定してください（{unit}）。"),
            minimum=minimum,
            maximum=maximum,
            unit=unit,
        )
    return {"invalid": text, "min_value": text, "max_value": text}


class RawCheckboxInput(forms.CheckboxInput):
    """A checkbox that hands the field the raw parameter, so that `free=maybe` can be refused."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def format_value(self, value):
        return None

    def get_context(self, name, value, attrs):
        checked = str(value).lower() in StrictBooleanField.TRUE
        return super().get_context(name, checked, attrs)


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, on/off); anything else is an error, never a silent None."""

    widget = RawCheckboxInput
    TRUE, FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in self.TRUE:
            return True
        if word in self.FALSE:
            return False
        raise forms.ValidationError(_("true か false で指定してください。"), code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.Filter):
    field_class = StrictBooleanField


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class PointField(forms.CharField):
    """`lat,lon` in decimal degrees."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        message = _("「緯度,経度」の形で指定してください（例: 36.6486,138.1944）。")
        try:
            latitude, longitude = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(message, code="invalid") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise forms.ValidationError(_("緯度は-90〜90、経度は-180〜180の範囲です。"), code="range")
        return latitude, longitude


@extend_schema_field(
    {"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$", "example": "36.6486,138.1944"}
)
class PointFilter(filters.Filter):
    field_class = PointField


class ResourceFilterForm(forms.Form):
    """Resolves near / near_address to one point (`self.point`, named `self.near_place` when geocoded, with
    its `self.radius_km`) and checks the parameters that depend on each other."""

    point = None
    near_place = None
    radius_km = None

    def clean(self):
        data = super().clean()
        near, address = data.get("near"), data.get("near_address")
        if near and address:
            self.add_error("near_address", _("near と near_address はどちらか一方だけ指定してください。"))
        point = near
        if address and not near:
            location = geo.MunicipalityGeocoder().geocode(address)
            if location is None:
                # The address goes in as a parameter, not into the text: django-filter's API errors apply
                # `message % params`, and an address holding "%" would break a pre-formatted message.
                message = _("「%(address)s」の場所がわかりません。都道府県名か市区町村名から書いてください。")
                self.add_error(
                    "near_address",
                    forms.ValidationError(message, code="unknown_place", params={"address": address}),
                )
            else:
                point = (location.latitude, location.longitude)
                self.near_place = location.address
        self.point = point
        if point:
            self.radius_km = float(data.get("radius_km") or DEFAULT_RADIUS_KM)
        if not point and not self.has_error("near_address") and not self.has_error("near"):
            for name, value in (
                ("ordering", data.get("ordering") == "distance"),
                ("radius_km", data.get("radius_km")),
            ):
                if value:
                    message = _("%(name)s には near か near_address が必要です。")
                    self.add_error(
                        name, forms.ValidationError(message, code="needs_place", params={"name": name})
                    )
        return data


class QuickOptions:
    """A select whose options are written in Python, not through a template each: two lists of the 1,900
    municipalities a national catalogue uses took 0.24 s of every search and map page through the
    template engine. The same HTML: the widget's own context, each text escaped by format_html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(format_html('<optgroup label="{}">', group))
            html += [
                format_html('<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]),
                            option["label"])
                for option in options
            ]  # fmt: skip
            if group:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("".join(html))  # every piece is format_html's


class QuickSelect(QuickOptions, forms.Select):
    pass


class QuickSelectMultiple(QuickOptions, forms.SelectMultiple):
    pass


class CategorySelect(QuickSelectMultiple):
    """The category as a plain drop-down (a 90-line list box is no way to choose on a phone), which becomes
    a list box only when a URL names several categories, so that sending the form again keeps them all.
    Its grouped choices come from `selectors.category_choices`, set by the pages that render it."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name)  # a plain dict may hold one value or none
        values = [values] if isinstance(values, str) else values or []
        return [value for value in values if value]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if len(context["widget"]["value"]) <= 1:
            del context["widget"]["attrs"]["multiple"]
        return context


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(filters.ModelChoiceFilter):
    """A model chosen by its slug or code (documented as a string in the API schema)."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SlugMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """Models chosen by slug or code, repeatable (documented as strings in the API schema)."""


class SharedFilters(dict):
    """A FilterSet's `base_filters`, copied cheaply for each instance.

    django-filter deep-copies every filter for every FilterSet it makes, querysets and lazy messages
    included: a quarter of a search request's time (cProfile through `benchmark_search`). Filters are
    configuration that no request changes, so each instance gets shallow copies, with the method proxy
    re-made so that it calls the new FilterSet."""

    def __deepcopy__(self, memo):
        return {name: self._bound_copy(filter_) for name, filter_ in self.items()}

    @staticmethod
    def _bound_copy(filter_):
        clone = copy.copy(filter_)
        if clone.method is not None:
            clone.method = clone.method  # a FilterMethod of the clone, which finds the clone's parent
        return clone


class ResourceFilterSet(filters.FilterSet):
    # The parameters the search page shows first; the rest are under 詳しい条件.
    PRIMARY_PARAMETERS = (
        "category", "near_address", "radius_km", "disability", "support_level", "age", "has_vacancy", "free",
        "fee_max", "open_on", "min_rating", "ordering",
    )  # fmt: skip

    q = filters.CharFilter(label=_("キーワード"), method="filter_text", max_length=200)
    category = SlugMultipleChoiceFilter(
        label=_("サービスの種類"),
        queryset=Category.objects.all(),
        widget=CategorySelect,
        to_field_name="slug",
        method="filter_category",
        error_messages={
            "invalid_choice": _("サービス種別「%(value)s」はありません（/api/v1/categories/ の slug）。")
        },
    )
    kind = filters.ChoiceFilter(
        label=_("事業所か地域の支えか"),
        choices=[
            (ResourceKind.FORMAL, _("事業所・公的なサービス")),
            (ResourceKind.INFORMAL, _("地域の支え（サロン・家族会・ボランティアなど）")),
        ],
        error_messages={"invalid_choice": invalid_choice_message(ResourceKind.choices)},
    )
    municipality = SlugMultipleChoiceFilter(
        label=_("市区町村"),
        queryset=Municipality.objects.all(),
        to_field_name="code",
        widget=QuickSelectMultiple,
        method="filter_municipality",
        error_messages={"invalid_choice": _("市区町村コード「%(value)s」はありません（6桁、例: 202011）。")},
    )
    prefecture = SlugChoiceFilter(
        label=_("都道府県"),
        field_name="municipality__prefecture",
        queryset=Prefecture.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("都道府県コードは2桁の数字です（例: 20）。")},
    )
    region = SlugChoiceFilter(
        label=_("圏域"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        error_messages={"invalid_choice": _("その圏域はありません。")},
    )
    serves = SlugChoiceFilter(
        label=_("サービス提供地域"),
        queryset=Municipality.objects.all(),
        to_field_name="code",
        widget=QuickSelect,
        method="filter_serves",
        error_messages={"invalid_choice": _("市区町村コード「%(value)s」はありません（6桁、例: 202011）。")},
    )
    near = PointFilter(label=_("この地点の近く（緯度,経度）"), method="handled_in_filter_queryset")
    near_address = filters.CharFilter(
        label=_("この住所の近く"), method="handled_in_filter_queryset", max_length=200
    )
    radius_km = filters.NumberFilter(
        label=_("半径（km）"),
        method="handled_in_filter_queryset",
        min_value=Decimal("0.1"),
        max_value=MAX_RADIUS_KM,
        error_messages=number_messages(0.1, MAX_RADIUS_KM, "km"),
    )
    disability = filters.MultipleChoiceFilter(
        label=_("障害の種別"),
        choices=DisabilityGroup.choices,
        method="filter_disability",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": invalid_choice_message(DisabilityGroup.choices)},
    )
    support_level = IntegerFilter(
        label=_("障害支援区分"),
        method="filter_support_level",
        min_value=1,
        max_value=6,
        error_messages=number_messages(1, 6),
    )
    age = IntegerFilter(
        label=_("年齢"),
        method="filter_age",
        min_value=0,
        max_value=120,
        error_messages=number_messages(0, 120),
    )
    free = StrictBooleanFilter(label=_("無料"), method="filter_free")
    fee_max = IntegerFilter(
        label=_("月額の自己負担の上限（円）"),
        field_name="monthly_fee_yen",
        lookup_expr="lte",
        min_value=0,
        max_value=10_000_000,
        error_messages=number_messages(0, 10_000_000, _("円")),
    )
    has_vacancy = StrictBooleanFilter(label=_("空きあり"), method="filter_has_vacancy")
    min_rating = filters.NumberFilter(
        label=_("評価（以上）"),
        method="filter_min_rating",
        min_value=1,
        max_value=5,
        error_messages=number_messages(1, 5),
    )
    feature = SlugMultipleChoiceFilter(
        label=_("対応可能なこと（すべて）"),
        queryset=Feature.objects.all(),
        to_field_name="slug",
        method="filter_features",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("「%(value)s」という対応可能なことはありません。")},
    )
    open_on = filters.ChoiceFilter(
        label=_("開いている日"),
        choices=DAYS,
        method="filter_open_on",
        error_messages={"invalid_choice": invalid_choice_message(DAYS)},
    )
    verified_within_days = IntegerFilter(
        label=_("確認日が何日以内"),
        method="filter_verified_within_days",
        min_value=1,
        max_value=36500,
        error_messages=number_messages(1, 36500, _("日")),
    )
    status = filters.MultipleChoiceFilter(
        label=_("状態"),
        choices=ResourceStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": invalid_choice_message(ResourceStatus.choices)},
    )
    ordering = filters.ChoiceFilter(
        label=_("並び順"),
        choices=[(key, label) for key, (label, _fields) in ORDERINGS.items()],
        method="handled_in_filter_queryset",
        error_messages={"invalid_choice": invalid_choice_message([(key, None) for key in ORDERINGS])},
    )

    class Meta:
        model = Resource
        fields = []
        form = ResourceFilterForm

    def get_form_class(self):
        """The form class, made once per FilterSet class (django-filter makes one per instance); each
        form still deep-copies its fields, so no request sees another's values."""
        if "_form_class" not in type(self).__dict__:
            type(self)._form_class = super().get_form_class()
        return type(self)._form_class

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("status"):
            queryset = queryset.exclude(status=ResourceStatus.CLOSED)
        point = self.form.point
        if point:
            queryset = geo.within_radius(queryset, *point, self.form.radius_km)
        ordering = data.get("ordering") or ("distance" if point else "name_kana")
        if ordering == "-rating":
            queryset = self._with_rating(queryset)
        return queryset.order_by(*ORDERINGS[ordering][1])

    def offer_choices(self):
        """For a form that is shown: the categories grouped, and in the place drop-downs only the
        municipalities that have a resource or are served by one, not all 1,916 of Japan. Any valid code
        is still accepted when typed into the URL."""
        fields = self.form.fields
        fields["category"].widget.choices = [("", _("すべての種類")), *selectors.category_choices()]
        places = [(m.code, str(m)) for m in selectors.municipalities_in_use()]
        fields["municipality"].widget.choices = places
        fields["serves"].widget.choices = [("", settings.FILTERS_EMPTY_CHOICE_LABEL), *places]

    def _with_rating(self, queryset):
        """The rating the viewer may see: for the public only where enough professionals rated, so that
        ordering or filtering by it reveals no aggregate the page hides (README: ratings)."""
        if "rating" in queryset.query.annotations:
            return queryset
        user = getattr(self.request, "user", None)
        return queryset.with_rating(public=user is None or not is_professional(user))

    def applied(self):
        """The conditions of a valid search, in form order, each as (parameter, label, value as people
        read it, or None where the label says it all, the query string without it). The search page lists
        them above the results, so that a search with its form folded away still says what it asked."""
        applied = []
        for name, field in self.form.fields.items():
            raw = [value for value in self.data.getlist(name) if value]
            if name == "ordering" or not raw:
                continue
            applied.append((name, field.label, self._shown(field, self.form.cleaned_data[name], raw),
                            self._query_without(name)))  # fmt: skip
        return applied

    @staticmethod
    def _shown(field, value, raw):
        if value is True:
            return None
        if value is False:
            return _("いいえ")
        if isinstance(field, forms.ModelMultipleChoiceField):
            return "、".join(str(choice) for choice in value)
        if isinstance(field, forms.ModelChoiceField):
            return str(value)
        if isinstance(field, forms.ChoiceField):
            labels = dict(field.choices)
            return "、".join(str(labels.get(choice, choice)) for choice in raw)
        return raw[0]

    def _query_without(self, name):
        """The query string of this search without one parameter (nor the page, nor what needs it)."""
        query = self.data.copy()
        for dropped in (name, "page"):
            query.pop(dropped, None)
        if not (query.get("near") or query.get("near_address")):
            query.pop("radius_km", None)
            if query.get("ordering") == "distance":
                query.pop("ordering")
        return query.urlencode()

    def handled_in_filter_queryset(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        words = search.query_terms(value)
        other_words = " ".join(word for word in words if word not in DAY_WORDS)
        queryset = queryset.filter(search.text_filter(other_words))
        for word in words:
            if word in DAY_WORDS:
                hours = OpeningHours.objects.filter(resource=OuterRef("pk"), day_type__in=DAY_WORDS[word])
                queryset = queryset.filter(Exists(hours) | search.text_filter(word))
        return queryset

    def filter_category(self, queryset, name, value):
        if not value:  # an empty model choice is an empty QuerySet, which django-filter does not skip
            return queryset
        categories = Category.objects.descendants_of(value)
        in_others = Resource.categories.through.objects.filter(category__in=categories).values("resource_id")
        return queryset.filter(Q(primary_category__in=categories) | Q(pk__in=in_others))

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(municipality__in=value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(municipality__in=value.municipalities.all())

    def filter_serves(self, queryset, name, value):
        serving = Resource.service_area.through.objects.filter(municipality=value).values("resource_id")
        return queryset.filter(Q(municipality=value) | Q(pk__in=serving))

    def filter_disability(self, queryset, name, value):
        """Resources that admit every group the person belongs to; one that names no group admits all."""
        names_none = Q(**{f"accepts_{group.value}": False for group in DisabilityGroup})
        for group in value:
            queryset = queryset.filter(Q(**{f"accepts_{group}": True}) | names_none)
        return queryset

    def filter_support_level(self, queryset, name, value):
        return queryset.filter(Q(min_support_level__isnull=True) | Q(min_support_level__lte=value))

    def filter_age(self, queryset, name, value):
        return queryset.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=value), Q(max_age__isnull=True) | Q(max_age__gte=value)
        )

    def filter_free(self, queryset, name, value):
        co_payment = Fee.objects.filter(resource=OuterRef("pk"), kind=FeeKind.PUBLIC_10_PERCENT)
        free = Q(monthly_fee_yen=0) & ~Exists(co_payment)
        return queryset.filter(free if value else ~free)

    def filter_has_vacancy(self, queryset, name, value):
        """A fresh report of free places, from an office that takes people: one that has stopped taking
        them (新規受付停止, 休止中) has no vacancy, whatever it last reported."""
        cutoff = timezone.now() - timedelta(days=settings.VACANCY_FRESH_DAYS)
        current = Q(
            latest_vacancy__places__gt=0, latest_vacancy__as_of__gte=cutoff, status=ResourceStatus.ACTIVE
        )
        return queryset.filter(current if value else ~current)

    def filter_min_rating(self, queryset, name, value):
        return self._with_rating(queryset).filter(rating__gte=float(value))

    def filter_features(self, queryset, name, value):
        for feature in value:
            having = Resource.features.through.objects.filter(feature=feature).values("resource_id")
            queryset = queryset.filter(pk__in=having)
        return queryset

    def filter_open_on(self, queryset, name, value):
        hours = OpeningHours.objects.filter(resource=OuterRef("pk"), day_type=DAY_TYPE_OF[value])
        return queryset.filter(Exists(hours))

    def filter_verified_within_days(self, queryset, name, value):
        return queryset.filter(verified_at__gte=timezone.now() - timedelta(days=value))


ResourceFilterSet.base_filters = SharedFilters(ResourceFilterSet.base_filters)
