"""Request rates for the HTML pages that cost the most (the map and the CSV export), counted as the API's
are: Django REST framework's throttle, in the same shared cache, with the same client identity (the
`NUM_PROXIES` rule for X-Forwarded-For)."""

from functools import wraps
from math import ceil

from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request):
    """The client as every count here names it (django-axes' failed logins too): the address that
    NUM_PROXIES proxies from the end of X-Forwarded-For, or the connection's when NUM_PROXIES is 0."""
    return BaseThrottle().get_ident(request)


class PageRateThrottle(SimpleRateThrottle):
    """A rate of REST_FRAMEWORK's DEFAULT_THROTTLE_RATES[scope], per signed-in user or else per client."""

    def __init__(self, scope):
        self.scope = scope
        super().__init__()

    def get_rate(self):
        # Read when asked (DRF's own throttles read their rates once, at import).
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle(scope):
    """Past the scope's rate a view answers 429, with a page saying how long to wait."""

    def decorator(view):
        @wraps(view)
        def throttled_view(request, *args, **kwargs):
            rate = PageRateThrottle(scope)
            if rate.allow_request(request, None):
                return view(request, *args, **kwargs)
            wait = max(1, ceil(rate.wait() or 1))
            response = render(request, "throttled.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response

        return throttled_view

    return decorator
