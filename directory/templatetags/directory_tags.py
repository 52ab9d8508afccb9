import segno
from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from directory.facts import BADGES, resource_facts

register = template.Library()


@register.inclusion_tag("directory/includes/freshness.html")
def freshness(resource):
    """確認日 with its age, marked stale past VERIFIED_FRESH_DAYS."""
    age = resource.verified_age_days(timezone.now())
    return {
        "verified_at": resource.verified_at,
        "age_days": age,
        "stale": age is None or age > settings.VERIFIED_FRESH_DAYS,
        "never": age is None,
    }


@register.inclusion_tag("directory/includes/vacancy.html")
def vacancy_badge(vacancy):
    """The latest vacancy with its age, marked stale past VACANCY_FRESH_DAYS."""
    if vacancy is None:
        return {"vacancy": None}
    return {"vacancy": vacancy, "age_days": vacancy.age_days(), "stale": not vacancy.is_fresh()}


@register.simple_tag
def card_facts(resource):
    """The facts a result card lists; 空き, 確認日 and 状態 are its badges."""
    return [fact for fact in resource_facts(resource) if fact.key not in BADGES]


@register.simple_tag(takes_context=True)
def qr_code(context, resource):
    """A QR code of the entry's page as inline SVG, for a printed hand-out (segno writes paths, no script)."""
    url = context["request"].build_absolute_uri(resource.get_absolute_url())
    return mark_safe(segno.make(url, error="m").svg_inline(scale=2, border=1))
