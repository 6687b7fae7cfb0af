"""The import wizard's pages at /import/: upload, sheets, columns, people, check (dry run), commit.

Admins and coordinators only (they add to the schedule); an import of another program is 404. Every step reads
and writes the ImportSession, so a refresh or a second tab loses nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from integrations.imports import services
from integrations.imports.forms import ColumnsForm, PeopleForm, SheetsForm, UploadForm
from integrations.imports.models import ImportSession
from integrations.imports.sheets import KINDS, KINDS_BY_KEY
from integrations.imports.workbooks import report_workbook, template_workbook
from integrations.jobs.services import job_start
from tenants import access
from tenants.errors import DomainError
from tenants.permissions import Action, Resource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DENIED = "Only the program's admins and coordinators can import spreadsheets."
require = access.require(Action.ADD, Resource.SCHEDULE, denied=DENIED)
STEPS = (
    ("import-sheets", "Sheets"),
    ("import-columns", "Columns"),
    ("import-people", "People"),
    ("import-check", "Check and import"),
)


def _session(request: HttpRequest, pk: int) -> ImportSession:
    found = ImportSession.objects.filter(program=request.program, pk=pk).select_related("academic_year").first()
    if found is None:
        raise Http404("No such import in this program.")
    return found


def _page(request: HttpRequest, template: str, session: ImportSession, step: str, **context) -> HttpResponse:
    steps = [(name, label, reverse(name, args=[session.pk])) for name, label in STEPS]
    return render(request, f"integrations/{template}", {"session": session, "steps": steps, "step": step, **context})


def _wizard_error(request: HttpRequest, error: Exception) -> None:
    messages.error(request, str(error))


def _in_background(request: HttpRequest, session: ImportSession, kind: str) -> HttpResponse:
    """A file of more than IMPORT_JOB_ROWS rows is checked or imported by a background job (one at a time per
    upload): its page shows the progress, and the inbox says when it is done."""
    verb = "Import" if kind == "import_commit" else "Check"
    try:
        job = job_start(
            program=request.program,
            user=request.user,
            kind=kind,
            title=f"{verb} of {session.filename}",
            params={"session": session.pk},
            total=services.import_session_rows(session),
            key=f"import:{session.pk}",
        )
    except (DomainError, PermissionDenied) as error:
        _wizard_error(request, error)
        return redirect("import-check", pk=session.pk)
    return redirect("job-detail", pk=job.pk)


@require
def import_home(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet (the first step), the program's recent imports and the sheet templates."""
    form = UploadForm(request.POST or None, request.FILES or None, program=request.program)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.import_session_start(
                program=request.program,
                user=request.user,
                upload=form.cleaned_data["file"],
                academic_year=form.cleaned_data["academic_year"],
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            return redirect("import-sheets", pk=session.pk)
    context = {"form": form, "kinds": KINDS, "recent": services.sessions_recent(program=request.program)}
    return render(request, "integrations/import_home.html", context, status=400 if form.errors else 200)


@require
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty template of one sheet kind (`?kind=blocks`), or of all of them (no kind, or `all`), as xlsx."""
    kind = request.GET.get("kind", "all")
    if kind != "all" and kind not in KINDS_BY_KEY:
        raise Http404("No such sheet template.")
    content = template_workbook(KINDS if kind == "all" else (KINDS_BY_KEY[kind],))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-template-{kind}.xlsx"'
    return response


@require
def import_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: what each sheet holds (suggested from its headings and name) and the academic year."""
    session = _session(request, pk)
    form = SheetsForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_session_kinds_set(
                session=session, user=request.user, kinds=form.kinds(), year=form.cleaned_data["academic_year"]
            )
        except (DomainError, PermissionDenied) as error:
            _wizard_error(request, error)
        else:
            return redirect("import-columns", pk=session.pk)
    return _page(request, "import_sheets.html", session, "import-sheets", form=form)


@require
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: which field each column fills (suggested by fuzzy heading match, remembered per program)."""
    session = _session(request, pk)
    form = ColumnsForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_session_mapping_set(session=session, user=request.user, mapping=form.mapping())
        except DomainError as error:
            _wizard_error(request, error)
        else:
            return redirect("import-people", pk=session.pk)
    problems = services.mapping_problems(session) if request.method == "GET" else []
    return _page(request, "import_columns.html", session, "import-columns", form=form, problems=problems)


@require
def import_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4: who each name of the file is; names that only resemble someone wait for an answer here."""
    session = _session(request, pk)
    questions = services.import_session_questions(session=session)
    form = PeopleForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_session_answers_set(session=session, user=request.user, answers=form.answers())
        except DomainError as error:
            _wizard_error(request, error)
        else:
            return redirect("import-check", pk=session.pk)
    sure = [q for q in questions if q.match.person]
    unknown = [q for q in questions if not q.match.person and not q.match.choices]
    context = {"form": form, "sure": sure, "unknown": unknown}
    return _page(request, "import_people.html", session, "import-people", **context)


@require
def import_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 5: run the dry run (POST) and read its report; import when it found nothing."""
    session = _session(request, pk)
    if request.method == "POST":
        if services.import_session_rows(session) > settings.IMPORT_JOB_ROWS:
            return _in_background(request, session, "import_check")
        try:
            session = services.import_session_run(session_id=session.pk, user_id=request.user.pk, commit=False)
        except DomainError as error:
            _wizard_error(request, error)
        return redirect("import-check", pk=session.pk)
    context = {"report": session.report, "ready": services.import_session_ready(session)}
    return _page(request, "import_check.html", session, "import-check", **context)


@require
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real: everything or nothing. A draft version holds the assignments, to compare and publish."""
    session = _session(request, pk)
    if not services.import_session_ready(session):
        messages.error(request, "Run the check first: the file is imported only after a check that found nothing.")
        return redirect("import-check", pk=session.pk)
    if services.import_session_rows(session) > settings.IMPORT_JOB_ROWS:
        return _in_background(request, session, "import_commit")
    try:
        session = services.import_session_run(session_id=session.pk, user_id=request.user.pk, commit=True)
    except DomainError as error:
        _wizard_error(request, error)
        return redirect("import-check", pk=session.pk)
    if session.status != ImportSession.Status.COMMITTED:
        messages.error(request, "Nothing was imported: the file no longer imports cleanly (see the problems).")
        return redirect("import-check", pk=session.pk)
    messages.success(request, f"{session.filename} is imported.")
    if session.version_id:
        return redirect("version-compare", pk=session.version_id)
    return redirect("import-check", pk=session.pk)


@require
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The last report as xlsx: every problem by sheet, row and column."""
    session = _session(request, pk)
    if not session.report:
        raise Http404("Run the check first.")
    response = HttpResponse(report_workbook(session.report, session.filename), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-report-{session.pk}.xlsx"'
    return response
