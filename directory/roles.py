"""Roles are Django groups. Their names are stable identifiers; their labels are translated."""

from django.utils.translation import gettext_lazy as _

PLANNER = "planner"
SERVICE_MANAGER = "service_manager"
COORDINATOR = "coordinator"

ROLE_LABELS = {
    PLANNER: _("相談支援専門員"),
    SERVICE_MANAGER: _("サービス管理責任者"),
    COORDINATOR: _("コーディネーター"),
}


def roles_of(user) -> set[str]:
    """The role names a user holds (cached on the user object for the request)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.filter(name__in=ROLE_LABELS).values_list("name", flat=True))
    return user._role_names


def is_coordinator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or COORDINATOR in roles_of(user))


def is_professional(user) -> bool:
    """Planners, service managers and coordinators see entries meant for professionals."""
    return user.is_authenticated and (user.is_superuser or bool(roles_of(user)))
