"""Roles are Django groups. Their names are stable identifiers; their labels are translated."""

from django.utils.translation import gettext_lazy as _

from directory.choices import Visibility

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


def may_hold(user, *, organization, visibility) -> bool:
    """Whether `user` may write an entry belonging to `organization` with `visibility`: coordinators any;
    a service manager their own organization's; any professional an entry private to themselves, which
    stands under no organization or one they belong to (Resource.clean refuses any other, naming the
    field, for everyone who writes)."""
    if is_coordinator(user):
        return True
    if visibility == Visibility.PRIVATE:
        return is_professional(user)
    return organization is not None and organization.memberships.filter(user=user).exists()
