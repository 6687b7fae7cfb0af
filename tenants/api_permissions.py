from rest_framework.permissions import SAFE_METHODS, BasePermission

from tenants.middleware import HEADER, program_for
from tenants.models import PersonalAccessToken
from tenants.permissions import Action, can
from tenants.selectors import program_by_reference
from tenants.tokens import AREA_OF_RESOURCE, has_scope, scope_needed

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


def token_area(view) -> str | None:
    """The scope area of a viewset: its `token_scope`, else the area of its `permission_resource`."""
    area = getattr(view, "token_scope", None)
    if area is None:
        area = AREA_OF_RESOURCE.get(str(getattr(view, "permission_resource", "")))
    return area


def token_refusal(request, view) -> str | None:
    """Why a personal access token may not make this request (None if it may, or no token was used).

    The token needs the scope of the viewset's area (`read:` for safe methods, `write:` otherwise) and acts
    in its own program: an X-Organization-ID naming another program is refused.
    """
    token = request.auth
    if not isinstance(token, PersonalAccessToken):
        return None
    header = request.META.get(HEADER, "").strip()
    if header and getattr(program_by_reference(request.user, header), "pk", None) != token.program_id:
        return f"This token acts in {token.program} only; X-Organization-ID names another program."
    area = token_area(view)
    if area is None:
        return "Personal access tokens cannot use this endpoint."
    scope = scope_needed(area, write=request.method not in SAFE_METHODS)
    if not has_scope(token, scope):
        return f"This token lacks the {scope} scope."
    return None


class ProgramRolePermission(BasePermission):
    """Every API request acts in one program and needs the role for the viewset's resource.

    Viewsets declare `permission_resource`; the action comes from the HTTP method unless the
    viewset maps its custom action in `permission_actions`. A personal access token also needs the scope.
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
        refusal = token_refusal(request, view)
        if refusal:
            self.message = refusal
            return False
        program = program_for(request)
        if program is None:
            self.message = NO_PROGRAM
            return False
        return can(request.user, self._action(request, view), resource, program)

    def has_object_permission(self, request, view, obj) -> bool:
        return can(request.user, self._action(request, view), obj, program_for(request))
