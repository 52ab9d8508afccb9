"""サービス等利用計画・障害児支援利用計画: a person's plan, its lines, shortlists, weekly schedule
and reviews.

A plan holds health and disability data of a real person (DESIGN §9): it stores the least (initials allowed,
birth year, municipality, an approximate home point) and every read goes through `Plan.objects.for_user`.
Nothing here is registered in the admin, where coordinators (staff) would see it.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from directory.choices import DisabilityGroup, ResourceKind
from directory.models import (
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    SUPPORT_LEVEL_VALIDATORS,
    Category,
    Municipality,
    Resource,
    coordinate_constraints,
)
from plans.choices import (
    CandidateStatus,
    IncomeBracket,
    InquiryAnswer,
    LineStatus,
    MonitoringOutcome,
    PlanKind,
    PlanStage,
    ScheduleDay,
)

# 利用者負担上限月額 by 所得区分 (障害者総合支援法施行令; 児童福祉法施行令 for children's day services).
MONTHLY_CAP_YEN = {
    IncomeBracket.WELFARE: 0,
    IncomeBracket.LOW: 0,
    IncomeBracket.GENERAL_1: 9_300,
    IncomeBracket.GENERAL_2: 37_200,
}
CHILD_DAY_SERVICES_GENERAL_1_CAP_YEN = 4_600


@deconstructible
class ChoiceListValidator:
    """A JSON list whose every item is one of the choices' values (the choices class named by its path)."""

    def __init__(self, choices_path):
        self.choices_path = choices_path

    def __call__(self, value):
        allowed = set(import_string(self.choices_path).values)
        if not isinstance(value, list) or any(item not in allowed for item in value):
            raise ValidationError(
                _("次の中から選んでください: %(allowed)s"), params={"allowed": ", ".join(sorted(allowed))}
            )

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and other.choices_path == self.choices_path


validate_disability_groups = ChoiceListValidator("directory.choices.DisabilityGroup")
validate_days = ChoiceListValidator("plans.choices.ScheduleDay")


def validate_birth_year(value):
    if not 1900 <= value <= date.today().year:
        raise ValidationError(_("生まれ年は1900年から今年までの西暦で入力してください。"))


def time_pair_constraint(start, end):
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True, f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": False, f"{end}__isnull": False}),
        name="%(app_label)s_%(class)s_times_both_or_none",
        violation_error_message=_("開始と終了の時刻は両方入力してください。"),
    )


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """The plans a user may read: their own and those shared with them. Every plan query starts here."""
        if not user.is_authenticated:
            return self.none()
        shared = PlanShare.objects.filter(user=user).values("plan_id")
        return self.filter(Q(owner=user) | Q(pk__in=shared))

    def editable_by(self, user):
        """The plans a user may change: their own and those shared with them for editing."""
        if not user.is_authenticated:
            return self.none()
        shared = PlanShare.objects.filter(user=user, can_edit=True).values("plan_id")
        return self.filter(Q(owner=user) | Q(pk__in=shared))


class Plan(models.Model):
    """The header of the official form (サービス等利用計画・障害児支援利用計画)."""

    # What the planner writes, in the form's order (the plan form and the API share them).
    HEADER_FIELDS = (
        "kind", "stage", "person_name", "guardian_name", "guardian_relation", "birth_year", "municipality",
        "latitude", "longitude", "disability_groups", "support_level", "recipient_number", "income_bracket",
        "drafted_on", "planned_on", "monitoring_months", "monitoring_from", "consent_on", "person_wishes",
        "family_wishes", "policy", "long_term_goal", "short_term_goal",
    )  # fmt: skip
    WEEK_FIELDS = ("daily_activities", "non_weekly_services", "whole_picture")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("計画作成担当者"),
    )
    kind = models.CharField(_("計画の種類"), max_length=8, choices=PlanKind.choices, default=PlanKind.ADULT)
    stage = models.CharField(
        _("計画案／計画"), max_length=8, choices=PlanStage.choices, default=PlanStage.DRAFT
    )
    person_name = models.CharField(
        _("利用者氏名"), max_length=40, help_text=_("イニシャルや呼び名だけでもかまいません（例: A・T）。")
    )
    guardian_name = models.CharField(_("保護者氏名"), max_length=40, blank=True)
    guardian_relation = models.CharField(_("続柄"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("生まれ年（西暦）"), validators=[validate_birth_year])
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("住んでいる市区町村")
    )
    latitude = models.FloatField(
        _("自宅付近の緯度"),
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        help_text=_("おおよその地点で十分です（小数3桁に丸めて保存します）。"),
    )
    longitude = models.FloatField(_("自宅付近の経度"), null=True, blank=True, validators=LONGITUDE_VALIDATORS)
    disability_groups = models.JSONField(
        _("障害の種別"), default=list, blank=True, validators=[validate_disability_groups]
    )
    support_level = models.PositiveSmallIntegerField(
        _("障害支援区分"), null=True, blank=True, validators=SUPPORT_LEVEL_VALIDATORS
    )
    recipient_number = models.CharField(
        _("受給者証番号"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("受給者証番号は10桁の数字です。"))],
    )
    income_bracket = models.CharField(_("所得区分"), max_length=10, choices=IncomeBracket.choices)
    drafted_on = models.DateField(_("計画案作成日"), default=date.today)
    planned_on = models.DateField(_("計画作成日"), null=True, blank=True)
    monitoring_months = models.PositiveSmallIntegerField(
        _("モニタリング期間（か月ごと）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    monitoring_from = models.DateField(
        _("モニタリング開始月"), null=True, blank=True, help_text=_("最初にモニタリングする月")
    )
    consent_on = models.DateField(_("利用者同意日"), null=True, blank=True)
    person_wishes = models.TextField(
        _("利用者の生活に対する意向（本人）"), blank=True, help_text=_("本人の言葉のまま書きます。")
    )
    family_wishes = models.TextField(
        _("利用者の生活に対する意向（家族）"), blank=True, help_text=_("家族の言葉のまま書きます。")
    )
    policy = models.TextField(_("総合的な援助の方針"), blank=True)
    long_term_goal = models.TextField(_("長期目標"), blank=True)
    short_term_goal = models.TextField(_("短期目標"), blank=True)
    daily_activities = models.TextField(_("主な日常生活上の活動"), blank=True)
    non_weekly_services = models.TextField(_("週単位以外のサービス"), blank=True)
    whole_picture = models.TextField(_("サービス提供によって実現する生活の全体像"), blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("サービス等利用計画")
        verbose_name_plural = _("サービス等利用計画")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            *coordinate_constraints(),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900),
                name="%(app_label)s_%(class)s_birth_year_range",
                violation_error_message=_("生まれ年は1900年から今年までの西暦で入力してください。"),
            ),
            models.CheckConstraint(
                condition=Q(support_level__isnull=True) | Q(support_level__gte=1, support_level__lte=6),
                name="%(app_label)s_%(class)s_support_level_range",
                violation_error_message=_("障害支援区分は1から6です。"),
            ),
            models.CheckConstraint(
                condition=Q(monitoring_months__gte=1, monitoring_months__lte=12),
                name="%(app_label)s_%(class)s_monitoring_months_range",
                violation_error_message=_("モニタリング期間は1から12か月です。"),
            ),
            models.CheckConstraint(
                condition=~Q(stage=PlanStage.FINAL) | Q(planned_on__isnull=False, consent_on__isnull=False),
                name="%(app_label)s_%(class)s_final_has_dates",
                violation_error_message=_("計画（本計画）には計画作成日と利用者同意日が必要です。"),
            ),
        ]
        indexes = [
            # Plan.objects.for_user(): a planner's own plans, newest first.
            models.Index(fields=["owner", "-updated_at"], name="plan_owner_updated"),
        ]

    def __str__(self):
        return f"{self.person_name}（{self.get_stage_display()}）"

    def get_absolute_url(self):
        return reverse("plans:plan-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kind == PlanKind.CHILD and not self.guardian_name:
            errors["guardian_name"] = _("障害児支援利用計画には保護者氏名が必要です。")
        if self.stage == PlanStage.FINAL:
            for name in ("planned_on", "consent_on"):
                if getattr(self, name) is None:
                    errors[name] = _("計画（本計画）にはこの日付が必要です。")
        if self.planned_on and self.drafted_on and self.planned_on < self.drafted_on:
            errors["planned_on"] = _("計画作成日は計画案作成日より後の日付にしてください。")
        if errors:
            raise ValidationError(errors)

    @property
    def has_point(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def home_point(self):
        """The home point, else the municipality's (city hall); None when neither is known."""
        if self.has_point:
            return (self.latitude, self.longitude)
        if self.municipality.latitude is not None:
            return (self.municipality.latitude, self.municipality.longitude)
        return None

    def age(self, on=None):
        """Age in whole years at most (only the birth year is kept): the age reached this year."""
        return (on or date.today()).year - self.birth_year

    @property
    def monthly_cap_yen(self):
        """利用者負担上限月額: 0 / 0 / 9,300 (4,600 for a child's day services) / 37,200."""
        if self.kind == PlanKind.CHILD and self.income_bracket == IncomeBracket.GENERAL_1:
            return CHILD_DAY_SERVICES_GENERAL_1_CAP_YEN
        return MONTHLY_CAP_YEN[IncomeBracket(self.income_bracket)]

    def disability_group_labels(self):
        return [DisabilityGroup(group).label for group in self.disability_groups]


class PlanShare(models.Model):
    """A colleague the plan is shared with, to read or to edit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares", verbose_name=_("計画"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shared_plans",
        verbose_name=_("共有先の職員"),
    )
    can_edit = models.BooleanField(_("編集もできる"), default=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("計画の共有")
        verbose_name_plural = _("計画の共有")
        ordering = ["plan_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="%(app_label)s_%(class)s_one_per_user")
        ]
        indexes = [
            # Plan.objects.for_user(): the plans shared with a user.
            models.Index(fields=["user", "plan"], name="planshare_user"),
        ]

    def __str__(self):
        return f"{self.plan} → {self.user}"

    def clean(self):
        if self.plan_id and self.user_id == self.plan.owner_id:
            raise ValidationError({"user": _("作成担当者本人とは共有できません。")})


class InformalSupport(models.Model):
    """An informal support known only within one plan (a grandmother, a neighbour): never in the
    catalogue, so no search, map or API of the catalogue can show it."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="informal_supports", verbose_name=_("計画")
    )
    name = models.CharField(_("名前・呼び名"), max_length=60, help_text=_("例: 祖母、となりの佐藤さん"))
    relation = models.CharField(_("本人との関係"), max_length=40, blank=True)
    contact = models.CharField(_("連絡先"), max_length=100, blank=True)
    notes = models.TextField(_("できること・留意事項"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("インフォーマル支援（この計画のみ）")
        verbose_name_plural = _("インフォーマル支援（この計画のみ）")
        ordering = ["plan_id", "pk"]

    def __str__(self):
        return f"{self.name}（{self.relation}）" if self.relation else self.name


class PlanLine(models.Model):
    """One row of the form's table: a need, its goal and the service or support that meets it."""

    # What the planner writes (the line form's groups and the API share them); the provider is chosen
    # from the shortlist (plans.services.candidate_choose).
    NEED_FIELDS = ("priority", "need", "goal", "target_period", "person_role", "review_timing", "notes")
    SERVICE_FIELDS = (
        "support_kind", "category", "content", "amount", "days", "starts", "ends", "days_per_month",
        "service_cost_per_day_yen", "informal_support",
    )  # fmt: skip
    STATUS_FIELDS = ("status", "unmet_reason")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("計画"))
    priority = models.PositiveSmallIntegerField(_("優先順位"), default=1, validators=[MinValueValidator(1)])
    need = models.TextField(_("解決すべき課題（本人のニーズ）"))
    goal = models.TextField(_("支援目標"), blank=True)
    target_period = models.CharField(_("達成時期"), max_length=40, blank=True, help_text=_("例: 6か月後"))
    support_kind = models.CharField(
        _("フォーマル／インフォーマル"),
        max_length=10,
        choices=ResourceKind.choices,
        default=ResourceKind.FORMAL,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("福祉サービス等の種類"),
    )
    content = models.TextField(_("内容"), blank=True)
    amount = models.CharField(
        _("量（頻度・時間）"), max_length=100, blank=True, help_text=_("例: 週5日 9–15時")
    )
    days = models.JSONField(_("利用したい曜日"), default=list, blank=True, validators=[validate_days])
    starts = models.TimeField(_("開始時刻"), null=True, blank=True)
    ends = models.TimeField(_("終了時刻"), null=True, blank=True)
    days_per_month = models.PositiveSmallIntegerField(
        _("利用日数（月）"), null=True, blank=True, validators=[MaxValueValidator(31)]
    )
    service_cost_per_day_yen = models.PositiveIntegerField(
        _("サービス費の目安（1日あたり、円）"),
        null=True,
        blank=True,
        help_text=_("空欄なら種類ごとの目安で見積もります。"),
    )
    provider = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提供事業者"),
    )
    informal_support = models.ForeignKey(
        InformalSupport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("インフォーマル支援"),
    )
    person_role = models.TextField(_("課題解決のための本人の役割"), blank=True)
    review_timing = models.CharField(_("評価時期"), max_length=40, blank=True)
    notes = models.TextField(_("その他留意事項"), blank=True)
    status = models.CharField(
        _("状況"), max_length=12, choices=LineStatus.choices, default=LineStatus.SEARCHING
    )
    unmet_reason = models.TextField(_("未充足の理由"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("計画の行")
        verbose_name_plural = _("計画の行")
        ordering = ["plan_id", "priority", "pk"]
        constraints = [
            time_pair_constraint("starts", "ends"),
            models.CheckConstraint(
                condition=Q(priority__gte=1),
                name="%(app_label)s_%(class)s_priority_positive",
                violation_error_message=_("優先順位は1以上です。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=LineStatus.UNMET) | ~Q(unmet_reason=""),
                name="%(app_label)s_%(class)s_unmet_has_reason",
                violation_error_message=_("未充足のときは理由を書いてください。"),
            ),
            models.CheckConstraint(
                condition=Q(provider__isnull=True) | Q(informal_support__isnull=True),
                name="%(app_label)s_%(class)s_one_provider",
                violation_error_message=_("提供事業者とインフォーマル支援はどちらか一方です。"),
            ),
        ]

    def __str__(self):
        return f"{self.priority}. {self.need[:30]}"

    def get_absolute_url(self):
        return reverse("plans:line-edit", args=[self.pk])

    def clean(self):
        errors = {}
        if self.status == LineStatus.UNMET and not self.unmet_reason.strip():
            errors["unmet_reason"] = _("未充足のときは理由を書いてください。")
        if self.provider_id and self.informal_support_id:
            errors["informal_support"] = _("提供事業者とインフォーマル支援はどちらか一方です。")
        if self.informal_support_id and self.informal_support.plan_id != self.plan_id:
            errors["informal_support"] = _("この計画のインフォーマル支援を選んでください。")
        if (self.starts is None) != (self.ends is None):
            errors["ends"] = _("開始と終了の時刻は両方入力してください。")
        if errors:
            raise ValidationError(errors)

    @property
    def supplier(self):
        """Who meets this need: the chosen provider or the informal support, or None."""
        return self.provider or self.informal_support

    def day_labels(self):
        return [ScheduleDay(day).label for day in self.days]


class ScheduleEntry(models.Model):
    """One block of the 週間計画表: a day column, a time span and what happens then."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="schedule", verbose_name=_("計画"))
    day = models.CharField(_("曜日"), max_length=3, choices=ScheduleDay.choices)
    starts = models.TimeField(_("開始時刻"))
    ends = models.TimeField(_("終了時刻"), help_text=_("開始より前の時刻は翌日（例: 22:00〜6:00）。"))
    label = models.CharField(_("内容"), max_length=60)
    line = models.ForeignKey(
        PlanLine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedule_entries",
        verbose_name=_("計画の行"),
    )

    class Meta:
        verbose_name = _("週間計画表の予定")
        verbose_name_plural = _("週間計画表の予定")
        ordering = ["plan_id", "day", "starts", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(starts=models.F("ends")),
                name="%(app_label)s_%(class)s_not_empty",
                violation_error_message=_("開始と終了が同じ時刻です。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_day_display()} {self.starts:%H:%M}〜{self.ends:%H:%M} {self.label}"

    def clean(self):
        if self.starts is not None and self.starts == self.ends:
            raise ValidationError({"ends": _("開始と終了が同じ時刻です。")})
        if self.line_id and self.plan_id and self.line.plan_id != self.plan_id:
            raise ValidationError({"line": _("この計画の行を選んでください。")})

    @property
    def kind(self):
        """service, informal or activity (a daily activity of the person's own)."""
        if self.line_id is None:
            return "activity"
        return "informal" if self.line.support_kind == ResourceKind.INFORMAL else "service"


class Candidate(models.Model):
    """候補: one provider on a line's shortlist, with why it was chosen to compare."""

    line = models.ForeignKey(
        PlanLine, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("計画の行")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="+", verbose_name=_("事業所")
    )
    reason = models.TextField(_("選定理由"), blank=True)
    status = models.CharField(
        _("状況"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.CANDIDATE
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("追加した人")
    )
    added_at = models.DateTimeField(_("追加日時"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("候補")
        verbose_name_plural = _("候補")
        ordering = ["line_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "resource"],
                name="%(app_label)s_%(class)s_once_per_line",
                violation_error_message=_("この事業所はすでに候補に入っています。"),
            )
        ]

    def __str__(self):
        return f"{self.resource}（{self.get_status_display()}）"


class Monitoring(models.Model):
    """モニタリング報告書: a dated review of the whole plan."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="monitorings", verbose_name=_("計画")
    )
    conducted_on = models.DateField(_("モニタリング実施日"), default=date.today)
    overall = models.TextField(_("全体の状況"))
    person_view = models.TextField(_("本人・家族の意向や満足度"), blank=True)
    outcome = models.CharField(_("計画の今後"), max_length=10, choices=MonitoringOutcome.choices)
    next_on = models.DateField(_("次回のモニタリング予定日"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("実施者")
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("モニタリング")
        verbose_name_plural = _("モニタリング")
        ordering = ["plan_id", "-conducted_on", "-pk"]
        get_latest_by = "conducted_on"

    def __str__(self):
        return f"{self.plan} {self.conducted_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("plans:monitoring-detail", args=[self.pk])

    def clean(self):
        if self.next_on and self.conducted_on and self.next_on <= self.conducted_on:
            raise ValidationError({"next_on": _("次回の予定日は実施日より後にしてください。")})


class LineReview(models.Model):
    """A line's part of a モニタリング報告書."""

    monitoring = models.ForeignKey(
        Monitoring, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("モニタリング")
    )
    line = models.ForeignKey(
        PlanLine, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("計画の行")
    )
    provider = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提供事業者（実施日時点）"),
    )
    provision_status = models.TextField(_("サービス提供状況（事業者からの聞き取り）"), blank=True)
    satisfaction = models.TextField(_("本人の感想・満足度"), blank=True)
    achievement = models.TextField(_("支援目標の達成度（ニーズの充足度）"), blank=True)
    issues = models.TextField(_("今後の課題・解決方法"), blank=True)
    change_kind = models.BooleanField(_("計画変更の必要性: サービス種類の変更"), default=False)
    change_amount = models.BooleanField(_("計画変更の必要性: サービス量の変更"), default=False)
    change_weekly = models.BooleanField(_("計画変更の必要性: 週間計画の変更"), default=False)

    class Meta:
        verbose_name = _("行ごとの評価")
        verbose_name_plural = _("行ごとの評価")
        ordering = ["monitoring_id", "line__priority", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring", "line"], name="%(app_label)s_%(class)s_once_per_line"
            )
        ]

    def __str__(self):
        return f"{self.monitoring} — {self.line}"


class PlanView(models.Model):
    """Who opened a plan, when, and which page of it (DESIGN §9)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="views", verbose_name=_("計画"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("閲覧者")
    )
    viewed_at = models.DateTimeField(_("閲覧日時"), default=timezone.now)
    page = models.CharField(_("画面"), max_length=20)

    class Meta:
        verbose_name = _("計画の閲覧記録")
        verbose_name_plural = _("計画の閲覧記録")
        ordering = ["-viewed_at", "-pk"]
        indexes = [
            # The plan page's "who opened it" list, newest first.
            models.Index(fields=["plan", "-viewed_at"], name="planview_plan_latest"),
        ]

    def __str__(self):
        return f"{self.plan_id} {self.user} {self.viewed_at:%Y-%m-%d %H:%M}"


class Inquiry(models.Model):
    """受け入れ照会: one question about a line sent to all its candidates at once, holding only what a
    provider needs to answer (no name, no birth year, no home point)."""

    line = models.ForeignKey(
        PlanLine, on_delete=models.CASCADE, related_name="inquiries", verbose_name=_("計画の行")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("照会者")
    )
    sent_at = models.DateTimeField(_("照会日時"), default=timezone.now)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("サービス種別"),
    )
    age_band = models.CharField(_("年代"), max_length=20)
    disability_groups = models.JSONField(
        _("障害の種別"), default=list, blank=True, validators=[validate_disability_groups]
    )
    support_level = models.PositiveSmallIntegerField(
        _("障害支援区分"), null=True, blank=True, validators=SUPPORT_LEVEL_VALIDATORS
    )
    days = models.JSONField(_("希望の曜日"), default=list, blank=True, validators=[validate_days])
    starts = models.TimeField(_("希望の開始時刻"), null=True, blank=True)
    ends = models.TimeField(_("希望の終了時刻"), null=True, blank=True)
    amount = models.CharField(_("量（頻度・時間）"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("住んでいる市区町村")
    )
    message = models.TextField(
        _("照会の補足"), blank=True, help_text=_("氏名など本人がわかることは書かないでください。")
    )

    class Meta:
        verbose_name = _("受け入れ照会")
        verbose_name_plural = _("受け入れ照会")
        ordering = ["-sent_at", "-pk"]
        constraints = [time_pair_constraint("starts", "ends")]

    def __str__(self):
        return f"{self.category or ''} {self.age_band} {self.sent_at:%Y-%m-%d}"

    def day_labels(self):
        return [ScheduleDay(day).label for day in self.days]

    def disability_group_labels(self):
        return [DisabilityGroup(group).label for group in self.disability_groups]


class InquiryRecipientQuerySet(models.QuerySet):
    def for_manager(self, user):
        """The inquiries addressed to the offices of a service manager's organizations."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(resource__organization__memberships__user=user)


class InquiryRecipient(models.Model):
    """One office asked by an inquiry, and its answer."""

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("受け入れ照会")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="+", verbose_name=_("事業所")
    )
    answer = models.CharField(_("回答"), max_length=10, choices=InquiryAnswer.choices, blank=True)
    places = models.PositiveSmallIntegerField(_("受け入れられる人数"), null=True, blank=True)
    meet_on = models.DateField(_("面談・見学できる日"), null=True, blank=True)
    note = models.TextField(_("回答の補足"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回答者"),
    )
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)

    objects = InquiryRecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("照会先")
        verbose_name_plural = _("照会先")
        ordering = ["-inquiry__sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "resource"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="%(app_label)s_%(class)s_answer_dated",
                violation_error_message=_("回答には回答日時が必要です。"),
            ),
        ]
        indexes = [
            # A manager's page: the questions to one office, newest first.
            models.Index(fields=["resource", "answered_at"], name="inquiryrecipient_resource"),
        ]

    def __str__(self):
        return f"{self.inquiry} → {self.resource}"

    def clean(self):
        if self.answer == InquiryAnswer.ACCEPT and not self.places:
            raise ValidationError({"places": _("受入可のときは受け入れられる人数を入れてください。")})

    def age_days(self, now=None):
        if self.answered_at is None:
            return None
        return ((now or timezone.now()) - self.answered_at).days
