from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapviewsConfig(AppConfig):
    name = "mapviews"
    verbose_name = _("地図")
