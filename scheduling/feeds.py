"""TODO: being written."""

from django.http import HttpResponse


def person_feed(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def program_feed(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def feed_reset(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
