"""How well a provider fits a person and a line: eligibility and the days and hours wanted.

The search (directory.filters) narrows a catalogue in SQL; the compare page judges the few rows of a
shortlist one by one and says why, so it reads the same rules from the rows themselves.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from directory.choices import DayType, DisabilityGroup
from directory.geo import display_distance_km
from plans.choices import ScheduleDay

DAY_TYPE_OF = {
    ScheduleDay.MON: DayType.WEEKDAY,
    ScheduleDay.TUE: DayType.WEEKDAY,
    ScheduleDay.WED: DayType.WEEKDAY,
    ScheduleDay.THU: DayType.WEEKDAY,
    ScheduleDay.FRI: DayType.WEEKDAY,
    ScheduleDay.SAT: DayType.SATURDAY,
    ScheduleDay.SUN_HOLIDAY: DayType.SUNDAY,
}


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool | None  # None: the catalogue does not say
    detail: str = ""


def eligibility(plan, resource, *, on=None):
    """Groups, 障害支援区分, age and area, each as a Check."""
    named = resource.disability_groups
    missing = [
        str(DisabilityGroup(group).label) for group in plan.disability_groups if named and group not in named
    ]
    if not named:
        groups = _("対象を限定していません")
    else:
        groups = _("%(groups)sは対象外") % {"groups": "・".join(missing)} if missing else _("対象")
    checks = [Check(_("障害の種別"), not missing, groups)]
    level = resource.min_support_level
    if level is None:
        checks.append(Check(_("障害支援区分"), True, _("条件なし")))
    else:
        needed = _("区分%(n)d以上") % {"n": level}
        ok = None if plan.support_level is None else plan.support_level >= level
        checks.append(
            Check(_("障害支援区分"), ok, needed if ok is not None else needed + _("（区分未記入）"))
        )
    age = plan.age(on)
    low, high = resource.min_age, resource.max_age
    age_ok = (low is None or age >= low) and (high is None or age <= high)
    if low is None and high is None:
        span = _("条件なし")
    else:
        span = _("%(low)s〜%(high)s歳") % {
            "low": "" if low is None else low,
            "high": "" if high is None else high,
        }
    checks.append(Check(_("年齢"), age_ok, span))
    serves = resource.municipality_id == plan.municipality_id or any(
        municipality.pk == plan.municipality_id for municipality in resource.service_area.all()
    )
    area = _("%(place)sを含む") if serves else _("%(place)sを含まない")
    checks.append(Check(_("実施地域"), serves, area % {"place": plan.municipality}))
    return checks


def _minutes(moment):
    return moment.hour * 60 + moment.minute


def covers(hours, starts, ends):
    """Whether opening hours (opens–closes, closing past midnight when not after opening) hold a span."""
    if hours.opens is None:
        return None
    opens, closes = _minutes(hours.opens), _minutes(hours.closes)
    if closes <= opens:
        closes += 24 * 60
    start, end = _minutes(starts), _minutes(ends)
    if end <= start:
        end += 24 * 60
    return opens <= start and end <= closes


def schedule(line, resource):
    """For each day the line wants: (day label, True / False / None when unknown, the hours that day)."""
    by_type = {hours.day_type: hours for hours in resource.hours.all()}
    rows = []
    for day in line.days:
        hours = by_type.get(DAY_TYPE_OF[ScheduleDay(day)])
        if hours is None:
            rows.append(
                (ScheduleDay(day).label, False if by_type else None, _("休み") if by_type else _("不明"))
            )
        elif line.starts is None:
            rows.append((ScheduleDay(day).label, True, hours.display_times()))
        else:
            rows.append(
                (ScheduleDay(day).label, covers(hours, line.starts, line.ends), hours.display_times())
            )
    return rows


def distance_km(plan, resource):
    point = plan.home_point
    if point is None or not resource.has_point:
        return None
    return display_distance_km(point, (resource.latitude, resource.longitude))


def age_band(age):
    """10年刻みの年代 (未就学児・学齢 for children), the most an inquiry tells about age."""
    if age < 6:
        return "未就学児"
    if age < 18:
        return "学齢期（6〜17歳）"
    return f"{age // 10 * 10}代"
