"""TODO: being written."""

from django.http import HttpResponse


def today(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
