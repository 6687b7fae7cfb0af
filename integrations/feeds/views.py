"""Calendar feeds on a secret token URL (no login), and the button that resets a feed's token.

An unknown or reset token, or one whose holder has left the program or been deactivated (see
integrations.feeds.tokens), gets a bare 404 that says nothing about why. Responses carry an ETag (hash of
the body) and Last-Modified (publication or token reset), and answer If-None-Match / If-Modified-Since
with 304, so calendar apps polling every few minutes cost little. A built feed is kept in the cache until
anything it shows changes (scheduling.schedule_cache), so most requests build nothing.
"""

import hashlib
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from integrations.feeds.calendars import FeedCalendar, person_feed_calendar, program_feed_calendar
from integrations.feeds.models import FeedToken
from integrations.feeds.tokens import feed_token_find, feed_token_reset
from scheduling import schedule_cache
from scheduling.models import Person
from tenants.errors import DomainError

CACHE_CONTROL = "private, max-age=900"


def _not_found() -> HttpResponse:
    return HttpResponseNotFound("Not found", content_type="text/plain; charset=utf-8")


def _built(build: Callable[..., FeedCalendar], token: FeedToken) -> tuple[FeedCalendar, str]:
    feed = build(token=token)
    return feed, '"' + hashlib.sha256(feed.body).hexdigest()[:40] + '"'


def _serve(request: HttpRequest, token: str, *, for_person: bool, build: Callable[..., FeedCalendar]) -> HttpResponse:
    found: FeedToken | None = feed_token_find(token=token, for_person=for_person)
    if found is None:
        return _not_found()
    kind = "person" if for_person else "program"
    parts = ("feed", kind, found.pk, (found.regenerated_at or found.created_at).timestamp(), found.program.today())
    feed, etag = schedule_cache.cached(found.program_id, parts, lambda: _built(build, found))
    last_modified = int(feed.last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(feed.body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    return response


@require_safe
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's published schedule as ICS, for the holder of the person's feed token."""
    return _serve(request, token, for_person=True, build=person_feed_calendar)


@require_safe
def program_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The program's calls and holidays as ICS, for the holder of the program's feed token."""
    return _serve(request, token, for_person=False, build=program_feed_calendar)


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    """Reset a feed token (?person=<id> or ?program=1) and go back where the button was."""
    program = getattr(request, "program", None)
    if program is None:
        raise PermissionDenied("You are not a member of any program.")
    wanted = request.GET.get("person") or request.POST.get("person") or ""
    person = get_object_or_404(Person.objects.for_program(program), pk=wanted) if wanted.isdigit() else None
    if person is None and not (request.GET.get("program") or request.POST.get("program")):
        message = "Say which feed to reset: ?person=<id> or ?program=1."
        return HttpResponse(message, status=400, content_type="text/plain")
    try:
        feed_token_reset(user=request.user, program=program, person=person)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "New feed address made; the old one no longer works. Update your calendar app.")
    back = request.POST.get("next") or request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = "my-schedule" if person is not None else "home"
    return redirect(back)
