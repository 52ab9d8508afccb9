from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    ADULT = "adult", _("サービス等利用計画")
    CHILD = "child", _("障害児支援利用計画")


class PlanStage(models.TextChoices):
    DRAFT = "draft", _("計画案")
    FINAL = "final", _("計画")


class IncomeBracket(models.TextChoices):
    WELFARE = "welfare", _("生活保護")
    LOW = "low", _("低所得")
    GENERAL_1 = "general1", _("一般1")
    GENERAL_2 = "general2", _("一般2")


class LineStatus(models.TextChoices):
    SEARCHING = "searching", _("探索中")
    CANDIDATES = "candidates", _("候補あり")
    DECIDED = "decided", _("決定")
    IN_USE = "in_use", _("利用中")
    ENDED = "ended", _("終了")
    UNMET = "unmet", _("未充足")


class CandidateStatus(models.TextChoices):
    CANDIDATE = "candidate", _("候補")
    INQUIRING = "inquiring", _("問い合わせ中")
    VISITED = "visited", _("見学済")
    DECLINED = "declined", _("辞退")
    CHOSEN = "chosen", _("決定")


class ScheduleDay(models.TextChoices):
    """The columns of the official 週間計画表: 月〜土, then 日・祝 together."""

    MON = "mon", _("月")
    TUE = "tue", _("火")
    WED = "wed", _("水")
    THU = "thu", _("木")
    FRI = "fri", _("金")
    SAT = "sat", _("土")
    SUN_HOLIDAY = "sun", _("日・祝")


class MonitoringOutcome(models.TextChoices):
    CONTINUE = "continue", _("継続")
    CHANGE = "change", _("変更")
    END = "end", _("終了")


class InquiryAnswer(models.TextChoices):
    ACCEPT = "accept", _("受入可")
    DISCUSS = "discuss", _("要相談")
    DECLINE = "decline", _("不可")
