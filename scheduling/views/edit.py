"""TODO: being written."""

from django.http import HttpResponse


def edit_block(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def edit_session(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def edit_call(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
