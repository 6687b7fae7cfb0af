"""The one gate every program page passes: logged in, in a program, and (when named) allowed by the role."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tenants.permissions import Action, Resource, can

DENIED = "Your role in this program does not allow this page."


def require(
    action: Action | None = None, resource: Resource | None = None, *, denied: str = DENIED
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator: 403 with `denied` unless the user acts in a program and, when `action` and `resource`
    are given, may do that there. The view then finds `request.program` set (never None).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            program = getattr(request, "program", None)
            allowed = program is not None and (action is None or can(request.user, action, resource, program))
            if not allowed:
                raise PermissionDenied(denied)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


MANAGERS_ONLY = "Only the program's admins and coordinators can {doing}."


def ensure_allowed(
    user, action: Action, resource: Resource | Any, program, doing: str = "", *, denied: str = ""
) -> None:
    """The services' guard: PermissionDenied unless the user may do `action` on `resource` in `program`. The
    message is `denied` (with `{program}` filled in), or "Only the program's admins and coordinators can `doing`."
    """
    if not can(user, action, resource, program):
        raise PermissionDenied((denied or MANAGERS_ONLY).format(program=program, doing=doing))
