"""TODO: being written."""

from django.http import HttpResponse


def run_new(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def run_detail(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def run_progress(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def run_cancel(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def version_compare(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def version_publish(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
