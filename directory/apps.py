from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("地域資源")

    def ready(self):
        post_migrate.connect(grant_coordinator_permissions, sender=self)
        post_migrate.connect(restore_search_index, sender=self)


def restore_search_index(sender, using="default", **kwargs):
    """A migration that rebuilds the resource table on SQLite drops the FTS triggers: put them back."""
    from django.db import connections

    from directory.search import ensure_search_index

    ensure_search_index(connections[using])


def grant_coordinator_permissions(sender, using="default", **kwargs):
    """Coordinators curate the whole catalogue in the admin: give their group every permission on it.

    Runs after each migrate, once Django has created the permissions of any new model."""
    from django.contrib.auth.models import Group, Permission

    from directory.roles import COORDINATOR

    group, _ = Group.objects.using(using).get_or_create(name=COORDINATOR)
    group.permissions.add(*Permission.objects.using(using).filter(content_type__app_label=sender.label))
