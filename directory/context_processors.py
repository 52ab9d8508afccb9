from directory.roles import ROLE_LABELS, is_coordinator, is_professional, roles_of


def roles(request):
    user = request.user
    return {
        "user_roles": [ROLE_LABELS[name] for name in sorted(roles_of(user))],
        "user_is_professional": is_professional(user),
        "user_is_coordinator": is_coordinator(user),
    }
