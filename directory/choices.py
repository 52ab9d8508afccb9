from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    FORMAL = "formal", _("フォーマル")
    INFORMAL = "informal", _("インフォーマル")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公開")
    PROFESSIONALS = "professionals", _("専門職のみ")
    PRIVATE = "private", _("非公開（登録者のみ）")


class ResourceStatus(models.TextChoices):
    ACTIVE = "active", _("利用受付中")
    NOT_ACCEPTING = "not_accepting", _("新規受付停止")
    SUSPENDED = "suspended", _("休止中")
    CLOSED = "closed", _("廃止")


class Source(models.TextChoices):
    MANUAL = "manual", _("手入力")
    WAM = "wam", _("WAM NET オープンデータ")
    KAIGO = "kaigo", _("介護サービス情報公表オープンデータ")
    PROVIDER = "provider", _("事業所からの届出")


class DayType(models.TextChoices):
    WEEKDAY = "weekday", _("平日")
    SATURDAY = "saturday", _("土曜")
    SUNDAY = "sunday", _("日曜")
    HOLIDAY = "holiday", _("祝日")


class FeeKind(models.TextChoices):
    PUBLIC_10_PERCENT = "public_10pct", _("公費（1割負担）")
    FREE = "free", _("無料")
    FIXED = "fixed", _("定額")
    ACTUAL = "actual", _("実費")


class FeeUnit(models.TextChoices):
    PER_USE = "use", _("1回")
    PER_DAY = "day", _("1日")
    PER_MONTH = "month", _("1か月")


class DisabilityGroup(models.TextChoices):
    PHYSICAL = "physical", _("身体障害")
    INTELLECTUAL = "intellectual", _("知的障害")
    MENTAL = "mental", _("精神障害")
    DEVELOPMENTAL = "developmental", _("発達障害")
    INTRACTABLE = "intractable", _("難病")
    CHILD = "child", _("障害児")


class RatingCriterion(models.TextChoices):
    """The criteria professionals rate a resource on, from practice (the training material's seed terms).

    The value is the name of the Rating field that holds the score."""

    PROCEDURE = "procedure", _("手続きのしやすさ")
    EXPERTISE = "expertise", _("専門性")
    FLEXIBILITY = "flexibility", _("柔軟性")
    COOPERATION = "cooperation", _("連携のしやすさ")
    SATISFACTION = "satisfaction", _("本人・家族の満足")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    APPROVED = "approved", _("反映済み")
    REJECTED = "rejected", _("見送り")


class ProblemKind(models.TextChoices):
    WRONG_PHONE = "wrong_phone", _("電話番号がちがう")
    CLOSED = "closed", _("閉鎖・廃止している")
    MOVED = "moved", _("移転した")
    OTHER = "other", _("その他")


class VerificationQueue(models.TextChoices):
    """The coordinator's queues of entries to confirm (the home page's counts, the admin's filter)."""

    STALE = "stale", _("長く確認されていない資源")
    NEVER = "never", _("一度も確認されていない資源")


class Freshness(models.TextChoices):
    """How long ago an entry was confirmed (確認日), by the thresholds VERIFIED_FRESH_MONTHS and
    VERIFIED_STALE_MONTHS."""

    FRESH = "fresh", _("確認済み")
    AGING = "aging", _("確認から時間がたっています")
    STALE = "stale", _("未確認")
    NEVER = "never", _("未確認")
