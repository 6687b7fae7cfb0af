"""TODO: being written."""

from django.http import HttpResponse


def schedule_grid(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def schedule_month(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def schedule_week(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
