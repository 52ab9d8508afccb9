"""What a family needs to know first about an entry, in plain words: the lines of a result card, a map
popup and a printed hand-out, from one function so that they never disagree."""

from typing import NamedTuple

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from directory.choices import DayType, ResourceStatus

TRANSPORT = "transport"  # the feature 送迎, which a family asks about first
# Facts a result card shows as coloured badges instead (空き, 確認日, 状態).
BADGES = {"status", "vacancy", "verified"}


class Fact(NamedTuple):
    key: str
    label: str
    text: str
    link: str = ""


def resource_facts(resource):
    """The facts of a resource fetched with selectors.search_rows' joins; those not known are left out,
    but its fees, who it is for, the vacancy and 確認日 are always said."""
    if resource.status != ResourceStatus.ACTIVE:
        yield Fact("status", _("状態"), resource.get_status_display())
    if resource.address:
        yield Fact("address", _("住所"), resource.address)
    if resource.phone:
        yield Fact("phone", _("電話"), resource.phone, "tel:" + resource.phone)
    hours = hours_text(resource)
    if hours:
        yield Fact("hours", _("時間"), hours)
    fees = "、".join(str(fee) for fee in resource.fees.all())
    yield Fact("fees", _("負担"), fees or _("未登録"))
    groups = "・".join(str(group.label) for group in resource.disability_groups)
    yield Fact("groups", _("対象"), groups or _("指定なし"))
    if any(feature.slug == TRANSPORT for feature in resource.features.all()):
        yield Fact("transport", _("送迎"), _("あり"))
    yield Fact("vacancy", _("空き"), vacancy_text(resource.latest_vacancy))
    verified = resource.verified_at
    yield Fact("verified", _("確認日"), day(verified) if verified else _("未確認"))


def hours_text(resource):
    """「平日 09:00〜17:00、土曜 09:00〜12:00」; day types open at the same times are named together, and all
    four as 毎日."""
    days_by_times = {}
    for hours in resource.hours.all():
        days_by_times.setdefault(hours.display_times(), []).append(hours.get_day_type_display())
    parts = [
        f"{_('毎日') if len(days) == len(DayType) else '・'.join(str(day) for day in days)} {times}"
        for times, days in days_by_times.items()
    ]
    if resource.closed_days:
        parts.append(_("休み: %(days)s") % {"days": resource.closed_days})
    return "、".join(parts)


def vacancy_text(vacancy):
    """A report older than VACANCY_FRESH_DAYS is not a number anyone should rely on: it reads 不明."""
    if vacancy is None or not vacancy.is_fresh():
        return _("不明")
    as_of = day(vacancy.as_of)
    if vacancy.places:
        return _("空き %(places)s（%(date)s時点）") % {"places": vacancy.places, "date": as_of}
    return _("空きなし（%(date)s時点）") % {"date": as_of}


def day(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d")
