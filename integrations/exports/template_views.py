"""Saved export templates at /exports/templates/: list, new, edit (with the scheduled email), run now (the
file downloads), delete. The program's admins and coordinators only (Resource.EXPORT); a template of another
program, or another coordinator's private one, is 404."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.exports import services
from integrations.exports.forms import ExportTemplateForm
from integrations.exports.models import ExportTemplate
from tenants.access import require
from tenants.audit import record_export
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

DENIED = "Only the program's admins and coordinators use export templates."


def _template(request: HttpRequest, pk: int) -> ExportTemplate:
    template = services.export_template_list(program=request.program, user=request.user).filter(pk=pk).first()
    if template is None:
        raise Http404("No such export template.")
    return template


def _save(request: HttpRequest, form: ExportTemplateForm, template: ExportTemplate | None) -> ExportTemplate | None:
    """Hand the form to the service; a refusal goes beside its field (or on top), nothing is saved."""
    try:
        if template is None:
            return services.export_template_create(
                program=request.program,
                user=request.user,
                values=form.template_values(),
                delivery=form.delivery_values(),
            )
        delivery = form.delivery_values()
        return services.export_template_update(
            template=template,
            user=request.user,
            values=form.template_values(),
            delivery=delivery,
            unschedule=delivery is None,
        )
    except services.TemplateInvalid as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
    except DomainError as error:
        form.add_error(None, str(error))
    return None


@require(Action.VIEW, Resource.EXPORT, denied=DENIED)
def export_template_list(request: HttpRequest) -> HttpResponse:
    """The templates the user may use, with their schedules."""
    templates = services.export_template_list(program=request.program, user=request.user).prefetch_related(
        "delivery__recipients"
    )
    return render(request, "integrations/export_template_list.html", {"templates": templates})


def _form_page(request: HttpRequest, template: ExportTemplate | None) -> HttpResponse:
    form = ExportTemplateForm(request.POST or None, program=request.program, template=template)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, template)
        if saved is not None:
            messages.success(request, f"Saved the export template “{saved.name}”.")
            return redirect("export-template-list")
    return render(request, "integrations/export_template_form.html", {"form": form, "template": template})


@require(Action.ADD, Resource.EXPORT, denied=DENIED)
def export_template_create(request: HttpRequest) -> HttpResponse:
    """A new template (and, optionally, its scheduled email)."""
    return _form_page(request, None)


@require(Action.CHANGE, Resource.EXPORT, denied=DENIED)
def export_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a template and its scheduled email."""
    return _form_page(request, _template(request, pk))


@require(Action.VIEW, Resource.EXPORT, denied=DENIED)
def export_template_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the template now: its file downloads (the download is in the audit log)."""
    template = _template(request, pk)
    try:
        export = services.export_template_run(template=template)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("export-template-list")
    response = HttpResponse(export.body, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    response["Cache-Control"] = "private, no-store"
    record_export(request, export.name, target=template)
    return response


@require(Action.DELETE, Resource.EXPORT, denied=DENIED)
@require_POST
def export_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a template and its scheduled email."""
    template = _template(request, pk)
    services.export_template_delete(template=template, user=request.user)
    messages.success(request, f"Deleted the export template “{template.name}”.")
    return redirect("export-template-list")
