from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from tenants.models import Organization
from tenants.selectors import program_by_reference, user_programs

SESSION_KEY = "active_program_id"
HEADER = "HTTP_X_ORGANIZATION_ID"


def resolve_active_program(request: HttpRequest) -> Organization | None:
    """The program this request acts in.

    The API names it in the X-Organization-ID header (id or slug); pages keep it in the
    session. Without either, a user's first program is used. A program the user does not
    belong to is never returned.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    header = request.META.get(HEADER, "").strip()
    if header:
        return program_by_reference(user, header)
    session_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    # One query for the session's program and the page's program switcher (tenants.context_processors).
    programs = request.user_programs = user_programs(user)
    chosen = [program for program in programs if program.pk == session_id] if session_id is not None else []
    return (chosen or programs or [None])[0]


class ActiveProgramMiddleware:
    """Sets request.program for session-authenticated requests, and on pages the program's time zone as the
    current one, so that every time a page prints (a publication, an inbox item, a history entry) is the
    program's clock time.

    Token-authenticated API requests are authenticated later, by DRF; `program_for`
    resolves their program once the user is known. The API keeps writing UTC times with their offset.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.program = resolve_active_program(request)
        if request.program is None or request.path.startswith("/api/"):
            return self.get_response(request)
        timezone.activate(request.program.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def program_for(request) -> Organization | None:
    """The active program of a Django or DRF request, resolving it after late authentication."""
    django_request = getattr(request, "_request", request)
    program = getattr(django_request, "program", None)
    if program is None and django_request.user.is_authenticated and not getattr(django_request, "_program_late", False):
        program = django_request.program = resolve_active_program(django_request)
        django_request._program_late = True  # resolved once, after authentication
    return program
