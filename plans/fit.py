"""How well a provider fits a person and a line: eligibility and the days and hours wanted.

The search (directory.filters) narrows a catalogue in SQL; the compare page judges the few rows of a
shortlist one by one and says why, so it reads the same rules from the rows themselves.
"""

from dataclasses import dataclass

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
    groups = [DisabilityGroup(group) for group in plan.disability_groups]
    missing = [group.label for group in groups if named and group not in named]
    checks = [
        Check(
            "障害の種別",
            not missing,
            "対象を限定していません"
            if not named
            else ("・".join(missing) + "は対象外" if missing else "対象"),
        )
    ]
    level = resource.min_support_level
    if level is None:
        checks.append(Check("障害支援区分", True, "条件なし"))
    elif plan.support_level is None:
        checks.append(Check("障害支援区分", None, f"区分{level}以上が必要（区分未記入）"))
    else:
        checks.append(Check("障害支援区分", plan.support_level >= level, f"区分{level}以上"))
    age = plan.age(on)
    low, high = resource.min_age, resource.max_age
    age_ok = (low is None or age >= low) and (high is None or age <= high)
    span = (
        "条件なし"
        if low is None and high is None
        else f"{low if low is not None else ''}〜{high if high is not None else ''}歳"
    )
    checks.append(Check("年齢", age_ok, span))
    serves = resource.municipality_id == plan.municipality_id or any(
        municipality.pk == plan.municipality_id for municipality in resource.service_area.all()
    )
    checks.append(Check("実施地域", serves, f"{plan.municipality}を{'含む' if serves else '含まない'}"))
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
            rows.append((ScheduleDay(day).label, False if by_type else None, "休み" if by_type else "不明"))
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
