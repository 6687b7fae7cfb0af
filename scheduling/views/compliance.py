"""TODO: being written."""

from django.http import HttpResponse


def compliance(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
