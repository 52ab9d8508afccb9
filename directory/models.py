"""The catalogue of 社会資源: places, services and informal supports a person can use."""

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.choices import (
    DayType,
    DisabilityGroup,
    FeeKind,
    FeeUnit,
    Freshness,
    ProblemKind,
    RatingCriterion,
    ResourceKind,
    ResourceStatus,
    Source,
    SuggestionStatus,
    VerificationQueue,
    Visibility,
)
from directory.roles import is_coordinator, is_professional
from directory.validators import (
    validate_corporate_number,
    validate_local_government_code,
    validate_office_number,
)

LATITUDE_VALIDATORS = [MinValueValidator(-90.0), MaxValueValidator(90.0)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180.0), MaxValueValidator(180.0)]
SUPPORT_LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(6)]
AGE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(120)]


def coordinate_constraints():
    """Range checks for a latitude/longitude pair, shared by every model that holds a point."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name="%(app_label)s_%(class)s_latitude_range",
            violation_error_message=_("緯度は -90 から 90 の範囲で入力してください。"),
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name="%(app_label)s_%(class)s_longitude_range",
            violation_error_message=_("経度は -180 から 180 の範囲で入力してください。"),
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name="%(app_label)s_%(class)s_point_complete",
            violation_error_message=_("緯度と経度は両方入力するか、両方空欄にしてください。"),
        ),
    ]


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def localized_name(obj):
    """The English name of a taxonomy entry when the page is in English and one exists, else the Japanese."""
    return obj.name_en if obj.name_en and get_language() == "en" else obj.name


class Prefecture(models.Model):
    code = models.CharField(_("都道府県コード"), max_length=2, unique=True)
    name = models.CharField(_("名称"), max_length=10)
    name_kana = models.CharField(_("よみがな"), max_length=20, blank=True)
    name_en = models.CharField(_("英語名"), max_length=20, blank=True)
    latitude = models.FloatField(_("緯度"), null=True, blank=True, validators=LATITUDE_VALIDATORS)
    longitude = models.FloatField(_("経度"), null=True, blank=True, validators=LONGITUDE_VALIDATORS)

    class Meta:
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")
        ordering = ["code"]
        constraints = coordinate_constraints()

    def __str__(self):
        return self.name


class Municipality(models.Model):
    code = models.CharField(
        _("地方公共団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
        help_text=_("検査数字を含む6桁（例: 長野市 202011）"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("都道府県")
    )
    name = models.CharField(_("名称"), max_length=40)
    name_kana = models.CharField(_("よみがな"), max_length=80, blank=True)
    latitude = models.FloatField(_("緯度"), null=True, blank=True, validators=LATITUDE_VALIDATORS)
    longitude = models.FloatField(_("経度"), null=True, blank=True, validators=LONGITUDE_VALIDATORS)

    class Meta:
        verbose_name = _("市区町村")
        verbose_name_plural = _("市区町村")
        ordering = ["code"]
        constraints = coordinate_constraints()

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        return f"{self.prefecture.name}{self.name.replace(' ', '')}"


class Region(models.Model):
    """圏域: a named group of municipalities that plan services together."""

    slug = models.SlugField(_("スラッグ"), unique=True)
    name = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("説明"), blank=True)
    municipalities = models.ManyToManyField(Municipality, related_name="regions", verbose_name=_("市区町村"))

    class Meta:
        verbose_name = _("圏域")
        verbose_name_plural = _("圏域")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def with_entries_visible_to(self, user):
        """The organizations under which `user` may see at least one entry."""
        visible = Resource.objects.visible_to(user).filter(organization=OuterRef("pk"))
        return self.filter(models.Exists(visible))


class Organization(models.Model):
    """法人: the legal body that runs one or more resources."""

    name = models.CharField(_("法人名"), max_length=200)
    name_kana = models.CharField(_("法人名（よみがな）"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("法人番号"),
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("13桁。先頭の1桁は検査数字です。"),
    )
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    url = models.URLField(_("URL"), blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")
        ordering = ["name_kana", "name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """Links a service manager (サービス管理責任者) to the organization whose entries they keep true."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("ユーザー"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("法人")
    )

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="%(app_label)s_%(class)s_unique_user_org"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organization}"


class CategoryQuerySet(models.QuerySet):
    def descendants_of(self, categories):
        """The given categories and every category below them, from one read of the (small) taxonomy."""
        children = {}
        for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        ids, frontier = set(), [category.pk for category in categories]
        while frontier:
            pk = frontier.pop()
            if pk not in ids:
                ids.add(pk)
                frontier.extend(children.get(pk, []))
        return self.filter(pk__in=ids)

    def leaves(self):
        return self.filter(children__isnull=True)


class Category(models.Model):
    slug = models.SlugField(_("スラッグ"), max_length=60, unique=True)
    code = models.CharField(_("分類コード"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_kana = models.CharField(_("よみがな"), max_length=120, blank=True)
    name_en = models.CharField(_("英語名"), max_length=120, blank=True)
    kind = models.CharField(
        _("種類"), max_length=10, choices=ResourceKind.choices, default=ResourceKind.FORMAL
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上位分類"),
    )
    aliases = models.TextField(
        _("別名・略称"), blank=True, help_text=_("1行に1つ。検索と取り込みで使います。")
    )
    unmapped = models.BooleanField(
        _("未対応の種別"),
        default=False,
        help_text=_(
            "オープンデータの取り込みで見つかった、どの分類にも当てはまらないサービス種別。"
            "正しい分類の別名に加えるか、この分類を整理してください。"
        ),
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("サービス種別")
        verbose_name_plural = _("サービス種別")
        ordering = ["code"]

    def __str__(self):
        return localized_name(self)

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Feature(models.Model):
    """A capability a resource may have (送迎, 入浴, 医療的ケア …)."""

    slug = models.SlugField(_("スラッグ"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英語名"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("対応可能なこと")
        verbose_name_plural = _("対応可能なこと")
        ordering = ["pk"]

    def __str__(self):
        return localized_name(self)


# The columns every listing filters on: who may see a row, and whether it is closed.
LISTED_COLUMNS = ["visibility", "status", "owner"]


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What a user may see: everyone sees public entries, professionals also those for professionals,
        and a private entry is seen by its owner alone."""
        visible = Q(visibility=Visibility.PUBLIC)
        if is_professional(user):
            visible |= Q(visibility=Visibility.PROFESSIONALS)
        if user.is_authenticated:
            visible |= Q(visibility=Visibility.PRIVATE, owner=user)
        return self.filter(visible)

    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)

    def open(self):
        return self.exclude(status=ResourceStatus.CLOSED)

    def editable_by(self, user):
        """Coordinators edit everything; a service manager edits their own organization's entries."""
        if not user.is_authenticated:
            return self.none()
        if is_coordinator(user):
            return self
        return self.filter(
            Q(organization__memberships__user=user) | Q(visibility=Visibility.PRIVATE, owner=user)
        ).distinct()

    def unverified_for(self, days):
        """Never verified, or last verified more than `days` ago."""
        cutoff = timezone.now() - timedelta(days=days)
        return self.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff))

    def fresh(self, days):
        return self.filter(verified_at__gte=timezone.now() - timedelta(days=days))

    def verification_due(self, queue=VerificationQueue.STALE, now=None):
        """The open entries a coordinator should confirm: for STALE those whose 確認日 is older than
        VERIFIED_STALE_MONTHS or missing (the 未確認 badge), for NEVER those never confirmed. The
        coordinator's home counts, the queue pages and the admin's filter all ask this one question; a
        closed entry needs no confirming."""
        due = Q(verified_at__isnull=True)
        if queue == VerificationQueue.STALE:
            due |= Q(verified_at__lt=months_before(now or timezone.now(), settings.VERIFIED_STALE_MONTHS))
        return self.open().filter(due)

    def with_rating(self, *, public, now=None):
        """Annotate `rating` (the smoothed mean of the current ratings, see Rating) and `rating_count`
        (how many professionals rated). For the public (`public=True`) `rating` is None unless at least
        RATING_PUBLIC_MIN_RATERS rated, so an ordering or a filter by rating reveals nothing the page
        would not show."""
        from directory.ratings import rating_annotations

        return self.annotate(**rating_annotations(public=public, now=now))

    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)


class Resource(models.Model):
    """社会資源: one place or service a person can use, formal or informal."""

    name = models.CharField(_("名称"), max_length=200)
    name_kana = models.CharField(_("よみがな"), max_length=200, blank=True)
    kind = models.CharField(
        _("種類"), max_length=10, choices=ResourceKind.choices, default=ResourceKind.FORMAL
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("法人"),
    )
    primary_category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="primary_resources",
        verbose_name=_("主なサービス種別"),
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="resources", verbose_name=_("その他のサービス種別")
    )
    office_number = models.CharField(
        _("事業所番号"), max_length=10, blank=True, validators=[validate_office_number], help_text=_("10桁")
    )

    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("市区町村"),
    )
    latitude = models.FloatField(_("緯度"), null=True, blank=True, validators=LATITUDE_VALIDATORS)
    longitude = models.FloatField(_("経度"), null=True, blank=True, validators=LONGITUDE_VALIDATORS)
    service_area = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="served_by",
        verbose_name=_("通常の事業の実施地域"),
    )

    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    fax = models.CharField(_("FAX"), max_length=30, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    url = models.URLField(_("URL"), blank=True)
    description = models.TextField(_("説明"), blank=True)

    closed_days = models.CharField(_("定休日"), max_length=200, blank=True)
    hours_note = models.CharField(_("利用可能曜日の特記事項"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)

    accepts_physical = models.BooleanField(DisabilityGroup.PHYSICAL.label, default=False)
    accepts_intellectual = models.BooleanField(DisabilityGroup.INTELLECTUAL.label, default=False)
    accepts_mental = models.BooleanField(DisabilityGroup.MENTAL.label, default=False)
    accepts_developmental = models.BooleanField(DisabilityGroup.DEVELOPMENTAL.label, default=False)
    accepts_intractable = models.BooleanField(DisabilityGroup.INTRACTABLE.label, default=False)
    accepts_child = models.BooleanField(DisabilityGroup.CHILD.label, default=False)
    min_support_level = models.PositiveSmallIntegerField(
        _("必要な障害支援区分（以上）"), null=True, blank=True, validators=SUPPORT_LEVEL_VALIDATORS
    )
    min_age = models.PositiveSmallIntegerField(
        _("対象年齢（下限）"), null=True, blank=True, validators=AGE_VALIDATORS
    )
    max_age = models.PositiveSmallIntegerField(
        _("対象年齢（上限）"), null=True, blank=True, validators=AGE_VALIDATORS
    )
    eligibility_notes = models.TextField(_("利用条件の補足"), blank=True)

    features = models.ManyToManyField(
        Feature, blank=True, related_name="resources", verbose_name=_("対応可能なこと")
    )
    accessibility_notes = models.TextField(_("バリアフリー・配慮"), blank=True)
    languages = models.CharField(
        _("対応言語"), max_length=200, blank=True, help_text=_("例: 日本語、手話、英語")
    )

    visibility = models.CharField(
        _("公開範囲"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_resources",
        verbose_name=_("登録者"),
        help_text=_("非公開の資源を見られる唯一のユーザー"),
    )
    status = models.CharField(
        _("状態"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.ACTIVE
    )

    source = models.CharField(_("情報源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_id = models.CharField(_("情報源での番号"), max_length=60, blank=True)
    source_date = models.DateField(_("情報源の日付"), null=True, blank=True)
    source_row = models.CharField(
        _("情報源での行番号"), max_length=20, blank=True, help_text=_("例: WAM NET の NO 列")
    )
    missing_from_source_since = models.DateField(
        _("情報源に見当たらなくなった日"),
        null=True,
        blank=True,
        help_text=_("この日付の取り込みファイルに載っていませんでした（廃止とは限りません）。"),
    )

    verified_at = models.DateTimeField(_("確認日"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("確認者"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    # Derived by directory.services on every write, for search and filters; never edited by hand.
    search_text = models.TextField(_("検索用テキスト"), blank=True, editable=False)
    # よみがな順: the reading (else the name) folded like search text, so that a reading written in
    # hiragana, katakana or half-width katakana (WAM NET, 介護 open data and people differ) sorts as one.
    reading = models.CharField(_("よみ順"), max_length=200, blank=True, editable=False)
    monthly_fee_yen = models.PositiveIntegerField(
        _("月額の自己負担（目安）"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("定額・実費の合計（1割負担は所得区分で決まるため含まない）。不明な金額があれば空。"),
    )
    geo_cell = models.IntegerField(_("グリッドセル"), null=True, blank=True, editable=False)
    latest_vacancy = models.ForeignKey(
        "Vacancy", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    history = HistoricalRecords(
        m2m_fields=[categories, service_area, features],
        excluded_fields=["search_text", "reading", "monthly_fee_yen", "geo_cell", "latest_vacancy"],
    )
    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("社会資源")
        verbose_name_plural = _("社会資源")
        ordering = ["reading", "name", "pk"]
        constraints = [
            *coordinate_constraints(),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="%(app_label)s_%(class)s_capacity_not_negative",
                violation_error_message=_("定員は0以上で入力してください。"),
            ),
            models.CheckConstraint(
                condition=Q(min_support_level__isnull=True)
                | Q(min_support_level__gte=1, min_support_level__lte=6),
                name="%(app_label)s_%(class)s_support_level_range",
                violation_error_message=_("障害支援区分は1から6です。"),
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="%(app_label)s_%(class)s_age_range_ordered",
                violation_error_message=_("対象年齢の下限は上限以下にしてください。"),
            ),
            models.CheckConstraint(
                condition=~Q(visibility=Visibility.PRIVATE) | Q(owner__isnull=False),
                name="%(app_label)s_%(class)s_private_has_owner",
                violation_error_message=_("非公開の資源には登録者が必要です。"),
            ),
            # One office number may stand under several service types (多機能型), but once per type.
            models.UniqueConstraint(
                fields=["office_number", "primary_category"],
                condition=~Q(office_number=""),
                name="%(app_label)s_%(class)s_unique_office_per_category",
                violation_error_message=_("この事業所番号とサービス種別の組み合わせは既に登録されています。"),
            ),
        ]
        # Each ordering of the search has an index that holds the columns every search filters on
        # (visibility, status, owner), so a page, even a deep one, is read from the index in order.
        indexes = [
            # Default reading order (ordering=name_kana, read from `reading`) and its deep pages.
            models.Index(fields=["reading", "name", "id", *LISTED_COLUMNS], name="resource_reading_order"),
            # ordering=-updated_at ("newest first") and stale-entry reports.
            models.Index(fields=["updated_at", "id", *LISTED_COLUMNS], name="resource_updated"),
            # ordering=-verified_at and unverified_for().
            models.Index(fields=["verified_at", "id", *LISTED_COLUMNS], name="resource_verified"),
            # ordering=-capacity.
            models.Index(fields=["capacity", "id", *LISTED_COLUMNS], name="resource_capacity"),
            # Counting what a user may see (every paginated list counts).
            models.Index(fields=LISTED_COLUMNS, name="resource_listed"),
            # Category + municipality search pages.
            models.Index(fields=["primary_category", "municipality"], name="resource_category_muni"),
            # Distance searches: grid-cell ranges first (directory.geo.within_radius).
            models.Index(
                fields=["geo_cell", "latitude", "longitude", "primary_category", *LISTED_COLUMNS],
                name="resource_geo_cell",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:resource-detail", args=[self.pk])

    def clean(self):
        # The age_range_ordered constraint says the same; here the message names the field to correct.
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": _("対象年齢の下限は上限以下にしてください。")})
        # A private entry filed under an organization would be listed, by name, to that organization's staff:
        # it may stand only under one its owner belongs to.
        if (
            self.visibility == Visibility.PRIVATE
            and self.organization_id is not None
            and self.owner_id is not None
            and not Membership.objects.filter(user=self.owner_id, organization=self.organization_id).exists()
        ):
            raise ValidationError(
                {"organization": _("非公開の資源は、登録者が所属する法人にだけ登録できます。")}
            )

    @property
    def disability_groups(self):
        """The disability groups this resource names; empty means it names no restriction."""
        return [group for group in DisabilityGroup if getattr(self, f"accepts_{group.value}")]

    @disability_groups.setter
    def disability_groups(self, groups):
        named = {DisabilityGroup(group) for group in groups}
        for group in DisabilityGroup:
            setattr(self, f"accepts_{group.value}", group in named)

    @property
    def has_point(self):
        return self.latitude is not None and self.longitude is not None

    def verified_age_days(self, now=None):
        if self.verified_at is None:
            return None
        return ((now or timezone.now()) - self.verified_at).days

    def verification_freshness(self, now=None) -> Freshness:
        """確認日's badge: FRESH up to VERIFIED_FRESH_MONTHS, AGING up to VERIFIED_STALE_MONTHS, then STALE;
        NEVER without one."""
        if self.verified_at is None:
            return Freshness.NEVER
        now = now or timezone.now()
        if self.verified_at >= months_before(now, settings.VERIFIED_FRESH_MONTHS):
            return Freshness.FRESH
        if self.verified_at >= months_before(now, settings.VERIFIED_STALE_MONTHS):
            return Freshness.AGING
        return Freshness.STALE

    def is_verified_fresh(self, now=None):
        """Whether the entry was confirmed within VERIFIED_STALE_MONTHS (it is not 未確認)."""
        return self.verification_freshness(now) in (Freshness.FRESH, Freshness.AGING)

    def field_text(self, name):
        """A field's value as text, as a suggested edit records it ("" for None)."""
        value = getattr(self, name)
        return "" if value is None else str(value)

    @property
    def is_accepting(self):
        """An office that has stopped taking people (新規受付停止, 休止中, 廃止) has no vacancy to offer."""
        return self.status == ResourceStatus.ACTIVE


class OpeningHours(models.Model):
    """Hours for one day type, structured for search and kept with the source's own words.

    A closing time at or before the opening time means the resource stays open past midnight
    (00:00〜00:00 is round the clock).
    """

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="hours", verbose_name=_("社会資源")
    )
    day_type = models.CharField(_("曜日区分"), max_length=10, choices=DayType.choices)
    opens = models.TimeField(_("開始"), null=True, blank=True)
    closes = models.TimeField(_("終了"), null=True, blank=True)
    text = models.CharField(_("原文"), max_length=100, blank=True, help_text=_("例: 08:30～17:15"))

    class Meta:
        verbose_name = _("利用可能な時間帯")
        verbose_name_plural = _("利用可能な時間帯")
        # 平日, 土曜, 日曜, 祝日: the week's order, as WAM NET lists them, not the keys' alphabet.
        ordering = [
            "resource_id",
            models.Case(*(models.When(day_type=key, then=n) for n, key in enumerate(DayType.values))),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "day_type"], name="%(app_label)s_%(class)s_one_per_day_type"
            ),
            models.CheckConstraint(
                condition=Q(opens__isnull=True, closes__isnull=True)
                | Q(opens__isnull=False, closes__isnull=False),
                name="%(app_label)s_%(class)s_both_times_or_none",
                violation_error_message=_("開始と終了の時刻は両方入力してください。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_day_type_display()} {self.display_times()}"

    def display_times(self):
        if self.opens is None:
            return self.text
        if self.opens == self.closes:
            return _("24時間")
        closes = self.closes.strftime("%H:%M")
        if self.closes < self.opens:
            closes = _("翌%(time)s") % {"time": closes}
        return f"{self.opens:%H:%M}〜{closes}"


class Fee(models.Model):
    """利用者負担: one line of what a person pays (e.g. 食費 500円/日)."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="fees", verbose_name=_("社会資源")
    )
    kind = models.CharField(_("負担の種類"), max_length=16, choices=FeeKind.choices)
    amount_yen = models.PositiveIntegerField(_("金額（円）"), null=True, blank=True)
    unit = models.CharField(_("単位"), max_length=8, choices=FeeUnit.choices, blank=True)
    description = models.CharField(
        _("内容"), max_length=200, blank=True, help_text=_("例: 食費、光熱水費、家賃")
    )

    class Meta:
        verbose_name = _("利用者負担")
        verbose_name_plural = _("利用者負担")
        ordering = ["resource_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_yen__isnull=True) | Q(amount_yen__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message=_("金額は0円以上で入力してください。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind=FeeKind.FREE) | Q(amount_yen__isnull=True) | Q(amount_yen=0),
                name="%(app_label)s_%(class)s_free_has_no_amount",
                violation_error_message=_("無料の負担に金額は入力できません。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[FeeKind.FIXED]) | Q(amount_yen__isnull=False),
                name="%(app_label)s_%(class)s_fixed_has_amount",
                violation_error_message=_("定額の負担には金額が必要です。"),
            ),
        ]

    def __str__(self):
        parts = [self.description or self.get_kind_display()]
        if self.amount_yen is not None:
            amount = f"{self.amount_yen:,}円"
            parts.append(f"{amount}/{self.get_unit_display()}" if self.unit else amount)
        elif self.kind != FeeKind.FREE and self.description:
            parts.append(self.get_kind_display())
        return " ".join(str(part) for part in parts)

    def monthly_yen(self, days_per_month=22):
        """The most this line can cost in a month, for comparing resources; None when unknown."""
        if self.kind == FeeKind.FREE:
            return 0
        if self.amount_yen is None:
            return None
        return {FeeUnit.PER_MONTH: 1, FeeUnit.PER_DAY: days_per_month, FeeUnit.PER_USE: days_per_month}.get(
            self.unit, 1
        ) * self.amount_yen


WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_places_by_weekday(value):
    from django.core.exceptions import ValidationError

    if not isinstance(value, dict):
        raise ValidationError(_('曜日別の空き数は {"mon": 1, …} の形で入力してください。'))
    for key, places in value.items():
        if key not in WEEKDAY_KEYS:
            raise ValidationError(
                _("曜日 %(key)s は使えません（mon, tue, wed, thu, fri, sat, sun）。"), params={"key": key}
            )
        if not isinstance(places, int) or isinstance(places, bool) or places < 0:
            raise ValidationError(_("%(key)s の空き数は0以上の整数で入力してください。"), params={"key": key})


# The range of a vacancy report's date: a day ahead (clocks and time zones differ), back to 2000.
VACANCY_AHEAD_ALLOWED = timedelta(days=1)
VACANCY_EARLIEST = datetime(2000, 1, 1)


class Vacancy(models.Model):
    """空き: a dated report of available places, always with who reported it."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="vacancies", verbose_name=_("社会資源")
    )
    as_of = models.DateTimeField(_("時点"), default=timezone.now)
    places = models.PositiveSmallIntegerField(_("空き数"))
    places_by_weekday = models.JSONField(
        _("曜日別の空き数"), default=dict, blank=True, validators=[validate_places_by_weekday]
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="vacancy_reports",
        verbose_name=_("報告者"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("空き状況")
        verbose_name_plural = _("空き状況")
        ordering = ["-as_of", "-pk"]
        get_latest_by = "as_of"
        indexes = [
            # A resource's latest report.
            models.Index(fields=["resource", "-as_of"], name="vacancy_latest"),
        ]

    def __str__(self):
        return f"{self.resource}: {self.places} ({self.as_of:%Y-%m-%d})"

    def clean(self):
        # A report dated ahead would stay the latest for ever, and one from before the catalogue's era is a
        # typing slip (0774 for 2024): refused, naming the field, wherever the report comes from.
        if not isinstance(self.as_of, datetime):  # missing, or refused by the field already
            return
        as_of = self.as_of if timezone.is_aware(self.as_of) else timezone.make_aware(self.as_of)
        if as_of > timezone.now() + VACANCY_AHEAD_ALLOWED:
            raise ValidationError({"as_of": _("空きの時点に1日より先の日時は入力できません。")})
        if as_of < timezone.make_aware(VACANCY_EARLIEST):
            raise ValidationError({"as_of": _("空きの時点は2000年1月1日以降の日時で入力してください。")})

    def age_days(self, now=None):
        return ((now or timezone.now()) - self.as_of).days

    def is_fresh(self, now=None):
        return self.age_days(now) <= settings.VACANCY_FRESH_DAYS

    def current_places(self, now=None):
        """The places reported, while the report is fresh; None (unknown) once it is older than
        VACANCY_FRESH_DAYS: an old number is not shown as if it still held."""
        return self.places if self.is_fresh(now) else None


# ---------------------------------------------------------------- what professionals learn and correct

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def score_field(criterion):
    return models.PositiveSmallIntegerField(
        criterion.label,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text=_("1（よくない）〜5（とてもよい）。わからないときは空欄。"),
    )


class RatingQuerySet(models.QuerySet):
    def current(self, now=None):
        """The ratings that count: given or confirmed within RATING_WINDOW_MONTHS (README: ratings)."""
        cutoff = months_before(now or timezone.now(), settings.RATING_WINDOW_MONTHS)
        return self.filter(updated_at__gte=cutoff, score__isnull=False)


class Rating(models.Model):
    """評価: one professional's current view of a resource, per criterion (1–5, None for わからない).

    One per user and resource; an edit replaces it and the old version stays in its history."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("社会資源")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("評価者")
    )
    procedure = score_field(RatingCriterion.PROCEDURE)
    expertise = score_field(RatingCriterion.EXPERTISE)
    flexibility = score_field(RatingCriterion.FLEXIBILITY)
    cooperation = score_field(RatingCriterion.COOPERATION)
    satisfaction = score_field(RatingCriterion.SATISFACTION)
    comment = models.TextField(
        _("コメント"), max_length=2000, blank=True, help_text=_("専門職にだけ表示されます。")
    )
    based_on_use = models.BooleanField(_("実際の利用にもとづく"), default=False)
    # The mean of the criteria scored, kept by directory.services for ordering and filtering.
    score = models.FloatField(_("平均点"), null=True, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("評価日"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["score"])

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("評価")
        verbose_name_plural = _("評価")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "user"],
                name="%(app_label)s_%(class)s_one_per_user_and_resource",
                violation_error_message=_("この資源はすでに評価しています。評価を編集してください。"),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{criterion}__isnull": True})
                    | Q(**{f"{criterion}__gte": 1, f"{criterion}__lte": 5}),
                    name=f"%(app_label)s_%(class)s_{criterion}_range",
                    violation_error_message=_("評価は1から5です。"),
                )
                for criterion in RatingCriterion.values
            ),
        ]
        indexes = [
            # A resource's current ratings (Rating.objects.current() of one resource, the aggregates).
            models.Index(fields=["resource", "updated_at"], name="rating_current"),
        ]

    def __str__(self):
        return f"{self.resource} — {self.user}"

    def clean(self):
        if all(getattr(self, criterion) is None for criterion in RatingCriterion.values):
            raise ValidationError(
                _("少なくとも1つの項目を評価してください（わからない項目は空欄で構いません）。")
            )

    @property
    def scores(self):
        """(criterion, score or None) in the criteria's order."""
        return [(criterion, getattr(self, criterion.value)) for criterion in RatingCriterion]


class RatingReply(models.Model):
    """The provider's one reply to the ratings of its entry (shown to professionals with them)."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="rating_reply", verbose_name=_("社会資源")
    )
    text = models.TextField(_("事業所からの返信"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("返信者")
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("評価への返信")
        verbose_name_plural = _("評価への返信")
        ordering = ["-updated_at"]

    def __str__(self):
        return str(self.resource)


def handled_by(label):
    """Who dealt with a suggestion or a report (empty until someone does)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=label,
    )


# The core facts of an entry that someone who may not edit it can suggest a correction to.
SUGGESTIBLE_FIELDS = (
    "name", "name_kana", "phone", "fax", "email", "url", "postal_code", "address", "capacity", "closed_days",
    "hours_note", "description", "status",
)  # fmt: skip


class SuggestedEditQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=SuggestionStatus.PENDING)


class SuggestedEdit(models.Model):
    """修正提案: a change to one fact of an entry by someone who may not edit it, for a coordinator to
    approve (then applied through directory.services, with history) or reject."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="suggested_edits", verbose_name=_("社会資源")
    )
    field = models.CharField(
        _("項目"),
        max_length=40,
        choices=[(name, Resource._meta.get_field(name).verbose_name) for name in SUGGESTIBLE_FIELDS],
    )
    old_value = models.TextField(_("提案時の値"), blank=True)
    new_value = models.TextField(_("新しい値"), blank=True)
    reason = models.TextField(_("理由・根拠"), max_length=1000)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提案者")
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    decided_by = handled_by(_("判断した人"))
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_note = models.CharField(_("判断のメモ"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提案日時"), auto_now_add=True)

    objects = SuggestedEditQuerySet.as_manager()

    class Meta:
        verbose_name = _("修正提案")
        verbose_name_plural = _("修正提案")
        ordering = ["created_at", "pk"]
        indexes = [
            # The coordinator's list of pending suggestions, oldest first.
            models.Index(fields=["status", "created_at"], name="suggestion_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=SuggestionStatus.PENDING)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="%(app_label)s_%(class)s_decision_recorded",
                violation_error_message=_("判断した人と日時が必要です。"),
            ),
        ]

    def __str__(self):
        return f"{self.resource}: {self.get_field_display()}"

    @property
    def current_value(self):
        return self.resource.field_text(self.field)


class ProblemReportQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class ProblemReport(models.Model):
    """A problem anyone signed in reported on an entry (wrong phone, closed, moved …), for a coordinator."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="problem_reports", verbose_name=_("社会資源")
    )
    kind = models.CharField(_("問題の種類"), max_length=16, choices=ProblemKind.choices)
    note = models.TextField(_("くわしく"), max_length=1000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("報告者")
    )
    created_at = models.DateTimeField(_("報告日時"), auto_now_add=True)
    resolved_by = handled_by(_("対応した人"))
    resolved_at = models.DateTimeField(_("対応日時"), null=True, blank=True)

    objects = ProblemReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("問題の報告")
        verbose_name_plural = _("問題の報告")
        ordering = ["created_at", "pk"]
        indexes = [
            # Unresolved reports of a resource (the verification queue's order, the coordinator's list).
            models.Index(fields=["resource", "resolved_at"], name="problem_unresolved"),
        ]

    def __str__(self):
        return f"{self.resource}: {self.get_kind_display()}"

    def clean(self):
        if self.kind == ProblemKind.OTHER and not self.note.strip():
            raise ValidationError({"note": _("「その他」のときは、どんな問題か書いてください。")})


class StaleReminder(models.Model):
    """A reminder `remind_stale` e-mailed to an organization about its entries needing confirmation."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="stale_reminders", verbose_name=_("法人")
    )
    sent_at = models.DateTimeField(_("送信日時"), default=timezone.now)
    recipients = models.TextField(_("宛先"))
    resource_count = models.PositiveIntegerField(_("確認が必要な資源の数"))

    class Meta:
        verbose_name = _("確認のお願い（送信記録）")
        verbose_name_plural = _("確認のお願い（送信記録）")
        ordering = ["-sent_at"]
        indexes = [
            # Whether an organization was reminded within the period (remind_stale's idempotence).
            models.Index(fields=["organization", "sent_at"], name="reminder_sent"),
        ]

    def __str__(self):
        return f"{self.organization} ({self.sent_at:%Y-%m-%d})"
