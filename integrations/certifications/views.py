"""The certification upload page (/credentials/import/, the same path and name as when credentials held it):
upload a CSV, see the dry run, confirm."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from integrations.certifications import services
from integrations.certifications.forms import CertificationConfirmForm, CertificationUploadForm
from integrations.certifications.services import ImportReport
from tenants.access import require
from tenants.permissions import Action, Resource


@require(Action.ADD, Resource.CREDENTIAL)
def certifications_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV, see what each line would do (a dry run), then confirm: all lines are written or none."""
    upload_form, report, confirm_form = CertificationUploadForm(), None, None
    if request.method == "POST" and "content" in request.POST:
        confirm = CertificationConfirmForm(request.POST)
        if confirm.is_valid():
            content = confirm.cleaned_data["content"]
            report = services.certifications_import(
                program=request.program, user=request.user, content=content, dry_run=False
            )
            if report.imported:
                messages.success(request, _imported_message(report))
                return redirect("credentials-matrix")
        else:
            messages.error(request, " ".join(confirm.errors.get("content", [])))
    elif request.method == "POST":
        upload_form = CertificationUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            content = upload_form.cleaned_data["file"]
            report = services.certifications_import(
                program=request.program, user=request.user, content=content, dry_run=True
            )
            if not report.has_errors:
                confirm_form = CertificationConfirmForm(initial={"content": CertificationConfirmForm.encode(content)})
    context = {"upload_form": upload_form, "report": report, "confirm_form": confirm_form}
    return render(request, "integrations/certifications_import.html", context)


def _imported_message(report: ImportReport) -> str:
    totals = report.totals
    return (
        f"Imported: {totals.get('new', 0)} new, {totals.get('update', 0)} updated, {totals.get('skip', 0)} unchanged."
    )
