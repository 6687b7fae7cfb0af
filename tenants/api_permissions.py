from rest_framework.permissions import BasePermission

from tenants.middleware import program_for
from tenants.permissions import Action, can

NO_PROGRAM = "No program: send the X-Organization-ID header with the id or slug of a program you belong to."

METHOD_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


class ProgramRolePermission(BasePermission):
    """Every API request acts in one program and needs the role for the viewset's resource.

    Viewsets declare `permission_resource`; the action comes from the HTTP method unless the
    viewset maps its custom action in `permission_actions`.
    """

    message = "Your role in this program does not allow this."

    def _action(self, request, view) -> str:
        custom = getattr(view, "permission_actions", {}).get(getattr(view, "action", None))
        return custom or METHOD_ACTIONS.get(request.method, Action.CHANGE)

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        resource = getattr(view, "permission_resource", None)
        if resource is None:
            return False
        program = program_for(request)
        if program is None:
            self.message = NO_PROGRAM
            return False
        return can(request.user, self._action(request, view), resource, program)

    def has_object_permission(self, request, view, obj) -> bool:
        return can(request.user, self._action(request, view), obj, program_for(request))
