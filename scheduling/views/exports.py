"""TODO: being written."""

from django.http import HttpResponse


def export_grid_xlsx(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def export_range_xlsx(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def export_grid_pdf(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def export_person_pdf(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)


def export_assignments_csv(request, **kwargs) -> HttpResponse:
    return HttpResponse(status=501)
