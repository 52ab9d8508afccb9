from django import template
from django.conf import settings
from django.utils import timezone

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
