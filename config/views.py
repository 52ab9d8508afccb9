"""Pages of the site as a whole (the apps' own pages are in their views)."""

from django.conf import settings
from django.shortcuts import render


def login_locked_out(request, response, credentials):
    """django-axes' answer to a login from an account or a client that failed too often (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
