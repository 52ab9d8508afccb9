from directory.roles import PLANNER, ROLE_LABELS, SERVICE_MANAGER, is_coordinator, is_professional, roles_of


def roles(request):
    user = request.user
    return {
        "user_roles": [ROLE_LABELS[name] for name in sorted(roles_of(user))],
        "user_is_professional": is_professional(user),
        "user_is_coordinator": is_coordinator(user),
        "user_is_planner": PLANNER in roles_of(user),
        "user_is_service_manager": SERVICE_MANAGER in roles_of(user),
    }
