"""Resource rows as map markers: what a pin and its popup say, in plain words (pins.js draws them as text)."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from directory import selectors
from directory.choices import ResourceStatus
from mapviews.maps import Marker

TRANSPORT = "transport"  # the feature 送迎, which a family asks about first


def resource_markers(resources, *, numbered=0):
    """The markers of the resources that have a point, in their order; the first `numbered` carry numbers
    1, 2, … as the list beside the map does. Resources come with selectors.map_rows' joins."""
    groups = selectors.category_roots()
    markers = []
    for resource in resources:
        if not resource.has_point:
            continue
        number = len(markers) + 1 if len(markers) < numbered else None
        markers.append(
            Marker(
                latitude=resource.latitude,
                longitude=resource.longitude,
                title=resource.name,
                url=resource.get_absolute_url(),
                group=groups.get(resource.primary_category_id, "default"),
                number=number,
                subtitle=subtitle(resource),
                lines=tuple(popup_lines(resource)),
            )
        )
    return markers


def subtitle(resource):
    parts = [str(resource.primary_category)]
    if resource.municipality:
        parts.append(str(resource.municipality))
    if getattr(resource, "distance_km", None) is not None:
        parts.append(_("%(km)s km") % {"km": formats.number_format(resource.distance_km, 1)})
    return "・".join(parts)


def popup_lines(resource):
    """(label, text, link) for each fact a family needs first; facts not known are left out."""
    if resource.status != ResourceStatus.ACTIVE:
        yield _("状態"), resource.get_status_display(), ""
    if resource.address:
        yield _("住所"), resource.address, ""
    if resource.phone:
        yield _("電話"), resource.phone, "tel:" + resource.phone
    hours = hours_text(resource)
    if hours:
        yield _("時間"), hours, ""
    fees = "、".join(str(fee) for fee in resource.fees.all())
    if fees:
        yield _("負担"), fees, ""
    groups = "・".join(str(group.label) for group in resource.disability_groups)
    yield _("対象"), groups or _("指定なし"), ""
    if any(feature.slug == TRANSPORT for feature in resource.features.all()):
        yield _("送迎"), _("あり"), ""
    yield _("空き"), vacancy_text(resource.latest_vacancy), ""
    verified = resource.verified_at
    yield _("確認日"), day(verified) if verified else _("未確認"), ""


def hours_text(resource):
    parts = [f"{hours.get_day_type_display()} {hours.display_times()}" for hours in resource.hours.all()]
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
