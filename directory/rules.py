"""Who may do what to an entry, beyond seeing it (Resource.objects.visible_to) and editing it
(Resource.objects.editable_by). The services enforce these; the pages ask them to show only what works.

| action | anonymous | planner | service manager of 法人 A | coordinator |
|---|---|---|---|---|
| rate an entry | no | any entry they see but a private one | entries of other 法人 | no (curates) |
| reply to the ratings | no | no | A's entries | no |
| edit, report vacancy, confirm (確認) | no | their private entries | A's entries | any |
| suggest an edit | no | entries they may not edit | entries they may not edit | edits directly |
| report a problem | no | yes | yes | yes |
"""

from directory.choices import Visibility
from directory.models import Membership, Resource
from directory.roles import PLANNER, SERVICE_MANAGER, is_professional, roles_of

RATERS = {PLANNER, SERVICE_MANAGER}


def _sees(user, resource):
    return Resource.objects.visible_to(user).filter(pk=resource.pk).exists()


def is_member_of(user, organization_id):
    return (
        user.is_authenticated
        and organization_id is not None
        and Membership.objects.filter(user=user, organization_id=organization_id).exists()
    )


def may_rate(user, resource) -> bool:
    """Planners and service managers rate what they see, never their own organization's entries nor an
    entry private to one person."""
    return (
        bool(roles_of(user) & RATERS)
        and resource.visibility != Visibility.PRIVATE
        and not is_member_of(user, resource.organization_id)
        and _sees(user, resource)
    )


def may_reply(user, resource) -> bool:
    """The provider (a service manager of the entry's organization) may answer its ratings."""
    return SERVICE_MANAGER in roles_of(user) and is_member_of(user, resource.organization_id)


def may_edit(user, resource) -> bool:
    return Resource.objects.editable_by(user).filter(pk=resource.pk).exists()


def may_suggest(user, resource) -> bool:
    """A professional who may not edit an entry suggests changes to it instead."""
    return is_professional(user) and not may_edit(user, resource) and _sees(user, resource)


def may_report_problem(user, resource) -> bool:
    return user.is_authenticated and _sees(user, resource)
