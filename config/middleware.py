"""Middleware of the site as a whole."""

from django.utils.cache import patch_cache_control


class PrivateForSignedInUsers:
    """A response to a signed-in user (session or API token) is theirs alone: no shared cache may keep it and
    the browser stores none, so that the back button after logging out on a shared computer shows nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django REST framework puts a token's user on the request too, once the view has authenticated it.
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
