"""What a family needs to know first about an entry, in plain words: the lines of a result card, a map
popup and a printed hand-out, from one function so that they never disagree."""

from typing import NamedTuple

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from directory.choices import DayType, DisabilityGroup, ResourceStatus

TRANSPORT = "transport"  # the feature 送迎, which a family asks about first
# Facts a result card shows as coloured badges instead (空き, 確認日, 状態).
BADGES = {"status", "vacancy", "verified"}


class Fact(NamedTuple):
    key: str
    label: str
    text: str
    link: str = ""


class FactWriter:
    """Writes the facts of resources fetched with selectors.card_rows' joins; those not known are left
    out, but fees, who it is for, the vacancy and 確認日 are always said. One writer serves a whole page or
    map: it translates each word once and remembers the texts of hours and fees it has written (a map of
    20,000 pins repeats them)."""

    def __init__(self):
        self.words = {
            key: str(word)
            for key, word in {
                "status": _("状態"), "address": _("住所"), "phone": _("電話"), "hours": _("時間"),
                "fees": _("負担"), "groups": _("対象"), "transport": _("送迎"), "vacancy": _("空き"),
                "verified": _("確認日"), "none": _("未登録"), "anyone": _("指定なし"), "yes": _("あり"),
                "unknown": _("不明"), "unverified": _("未確認"), "every_day": _("毎日"),
            }.items()
        }  # fmt: skip
        self.statuses = {value: str(label) for value, label in ResourceStatus.choices}
        self.groups = {group: str(group.label) for group in DisabilityGroup}
        self.day_types = {value: str(label) for value, label in DayType.choices}
        self.texts = {}

    def facts(self, resource):
        words = self.words
        facts = []
        if resource.status != ResourceStatus.ACTIVE:
            facts.append(Fact("status", words["status"], self.statuses[resource.status]))
        if resource.address:
            facts.append(Fact("address", words["address"], resource.address))
        if resource.phone:
            facts.append(Fact("phone", words["phone"], resource.phone, "tel:" + resource.phone))
        hours = self.hours_text(resource)
        if hours:
            facts.append(Fact("hours", words["hours"], hours))
        fees = "、".join(self.remembered(fee, ("fee", fee.kind, fee.description, fee.amount_yen, fee.unit))
                        for fee in resource.fees.all())  # fmt: skip
        facts.append(Fact("fees", words["fees"], fees or words["none"]))
        groups = "・".join(self.groups[group] for group in resource.disability_groups)
        facts.append(Fact("groups", words["groups"], groups or words["anyone"]))
        if any(feature.slug == TRANSPORT for feature in resource.features.all()):
            facts.append(Fact("transport", words["transport"], words["yes"]))
        facts.append(Fact("vacancy", words["vacancy"], self.vacancy_text(resource.latest_vacancy)))
        verified = resource.verified_at
        facts.append(Fact("verified", words["verified"], day(verified) if verified else words["unverified"]))
        return facts

    def remembered(self, instance, key, text=str):
        if key not in self.texts:
            self.texts[key] = text(instance)
        return self.texts[key]

    def hours_text(self, resource):
        """「平日 09:00〜17:00、土曜 09:00〜12:00」; day types open at the same times are named together, and
        all four as 毎日."""
        days_by_times = {}
        for hours in resource.hours.all():
            times = self.remembered(
                hours, ("hours", hours.opens, hours.closes, hours.text), type(hours).display_times
            )
            days_by_times.setdefault(times, []).append(self.day_types[hours.day_type])
        parts = [
            f"{self.words['every_day'] if len(days) == len(DayType) else '・'.join(days)} {times}"
            for times, days in days_by_times.items()
        ]
        if resource.closed_days:
            parts.append(_("休み: %(days)s") % {"days": resource.closed_days})
        return "、".join(parts)

    def vacancy_text(self, vacancy):
        """A report older than VACANCY_FRESH_DAYS is not a number anyone should rely on: it reads 不明."""
        if vacancy is None or not vacancy.is_fresh():
            return self.words["unknown"]
        as_of = day(vacancy.as_of)
        if vacancy.places:
            return _("空き %(places)s（%(date)s時点）") % {"places": vacancy.places, "date": as_of}
        return _("空きなし（%(date)s時点）") % {"date": as_of}


def day(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d")
