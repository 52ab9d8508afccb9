import segno
from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from directory.choices import Freshness
from directory.facts import BADGES, FactWriter
from directory.models import Resource

register = template.Library()


@register.inclusion_tag("directory/includes/freshness.html")
def freshness(resource):
    """確認日 with its age: fresh within VERIFIED_FRESH_MONTHS, getting old within VERIFIED_STALE_MONTHS,
    then 未確認 (and 未確認 when never confirmed)."""
    now = timezone.now()
    return {
        "verified_at": resource.verified_at,
        "age_days": resource.verified_age_days(now),
        "state": resource.verification_freshness(now),
        "Freshness": Freshness,
    }


@register.inclusion_tag("directory/includes/vacancy.html")
def vacancy_badge(subject):
    """The latest vacancy of a resource (or a vacancy report itself) with its age. Past VACANCY_FRESH_DAYS
    its number is not shown: 空き 不明. An office that is not taking people shows that instead."""
    if isinstance(subject, Resource):
        if not subject.is_accepting:
            return {"not_accepting": subject.get_status_display()}
        subject = subject.latest_vacancy
    if subject is None:
        return {"vacancy": None}
    now = timezone.now()
    return {"vacancy": subject, "age_days": subject.age_days(now), "places": subject.current_places(now)}


@register.filter
def stars(score):
    """A score of 1–5 as a figure with one decimal (the page says what it is a mean of)."""
    return "—" if score is None else f"{score:.1f}"


@register.simple_tag(takes_context=True)
def card_facts(context, resource):
    """The facts a result card lists; 空き, 確認日 and 状態 are its badges. One FactWriter serves every card
    of the page (it translates each word once)."""
    if "fact_writer" not in context.render_context:
        context.render_context["fact_writer"] = FactWriter()
    facts = context.render_context["fact_writer"].facts(resource)
    return [fact for fact in facts if fact.key not in BADGES]


@register.simple_tag(takes_context=True)
def qr_code(context, resource):
    """A QR code of the entry's page as inline SVG, for a printed hand-out (segno writes paths, no script)."""
    url = context["request"].build_absolute_uri(resource.get_absolute_url())
    return mark_safe(segno.make(url, error="m").svg_inline(scale=2, border=1))


@register.simple_tag
def entry_hours(resource):
    """The entry's hours in one line (directory.facts), or 未登録."""
    return FactWriter().hours_text(resource) or _("未登録")
