"""TODO: being written."""

from django.http import HttpResponse


def my_schedule(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def person_schedule(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
