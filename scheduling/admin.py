"""Admin for the calendar, people, rotations, runs, versions and assignments, scoped to the user's programs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from scheduling.fmit_config import FIELDS as FMIT_FIELDS
from scheduling.models import (
    HEX_COLOUR,
    WEEKDAY_NAMES,
    AcademicYear,
    Block,
    BlockAssignment,
    CalendarDay,
    CallAssignment,
    FmitYearConfig,
    Person,
    Preference,
    RotationRequirement,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
    SessionTime,
    WishWindow,
)
from scheduling.services import (
    SEED_RANGE,
    TIME_LIMIT_RANGE,
    WORKERS_RANGE,
    ComplianceBreachError,
    academic_year_create,
    academic_year_plan,
    fmit_year_config_update,
    rotation_in_use,
    schedule_run_cancel,
    schedule_run_start,
    schedule_run_validate,
    schedule_version_discard,
    schedule_version_publish,
)
from scheduling.services.wishes import (
    preference_change,
    preference_create,
    preference_withdraw,
    wish_window_set,
)
from tenants.admin import (
    ProgramInheritingFormSet,
    ProgramScopedAdmin,
    ProgramScopedInlineMixin,
    ReadOnlyHistoryAdmin,
    ServiceAdminMixin,
    allowed_program_ids,
)
from tenants.audit_admin import NoWritesAdminMixin
from tenants.errors import DomainError
from tenants.permissions import Action


def _related_only(field: str) -> tuple[str, type[admin.RelatedOnlyFieldListFilter]]:
    """A filter offering only the related rows present in the (program-scoped) changelist."""
    return (field, admin.RelatedOnlyFieldListFilter)


PROGRAM_FILTER = _related_only("program")
ADD_YEAR_FIELDS = (
    "program",
    "name",
    "start_date",
    "block_count",
    "block_length_days",
    "block_start_weekday",
    "orientation_days",
    "is_current",
)


class PgyFilter(admin.SimpleListFilter):
    """PGY 1-8 of the assignment's person, without reading other programs' people."""

    title = "PGY"
    parameter_name = "pgy"

    def lookups(self, request, model_admin):
        return [(str(level), f"PGY-{level}") for level in range(1, 9)]

    def queryset(self, request, queryset):
        return queryset.filter(person__pgy=self.value()) if self.value() else queryset


class SchedulingAdmin(ProgramScopedAdmin):
    """Program-scoped admin whose program column and filter show only to users of several programs.

    Foreign keys to users in `user_fields` use autocomplete for superusers and a program-member list for others.
    """

    user_fields: tuple[str, ...] = ()

    def _single_program(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return False
        return len(allowed_program_ids(request, Action.VIEW, self._permission_resource())) == 1

    def get_list_display(self, request: HttpRequest):
        columns = super().get_list_display(request)
        return [c for c in columns if c != "program"] if self._single_program(request) else columns

    def get_list_filter(self, request: HttpRequest):
        filters = super().get_list_filter(request)
        return [f for f in filters if f != PROGRAM_FILTER] if self._single_program(request) else filters

    def get_autocomplete_fields(self, request: HttpRequest):
        fields = tuple(super().get_autocomplete_fields(request))
        return fields + self.user_fields if request.user.is_superuser else fields


class TrackedSchedulingAdmin(SchedulingAdmin, ReadOnlyHistoryAdmin):
    """SchedulingAdmin with simple_history's (read-only) history pages, under the same program rules."""


class BlockInline(ProgramScopedInlineMixin, admin.TabularInline):
    """The year's blocks, editable in place; new blocks take the year's program."""

    model = Block
    fields = ("number", "start_date", "end_date")
    ordering = ("number",)
    extra = 0


class RecentRowsFormSet(ProgramInheritingFormSet):
    """Shows only the newest rows of a long inline; the full list is a link away on the parent page."""

    max_rows = 10

    def get_queryset(self) -> QuerySet:
        if not hasattr(self, "_recent_rows"):
            self._recent_rows = super().get_queryset()[: self.max_rows]
        return self._recent_rows


class RecentAssignmentsInline(NoWritesAdminMixin, ProgramScopedInlineMixin, admin.TabularInline):
    """A read-only list of a person's latest assignments; they are edited on their own admin pages."""

    formset = RecentRowsFormSet
    extra = 0
    can_delete = False
    show_change_link = True


class BlockAssignmentInline(RecentAssignmentsInline):
    """The person's latest block rotations."""

    model = BlockAssignment
    fields = ("block", "half", "rotation", "version", "source")
    ordering = ("-block__start_date", "half")
    verbose_name_plural = f"block rotations (latest {RecentRowsFormSet.max_rows})"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super().get_queryset(request).select_related("block__academic_year", "rotation", "version__academic_year")
        )


class SessionAssignmentInline(RecentAssignmentsInline):
    """The person's latest half-day activities."""

    model = SessionAssignment
    fields = ("date", "session", "activity", "rotation", "version", "source")
    ordering = ("-date", "-session")
    verbose_name_plural = f"half-day activities (latest {RecentRowsFormSet.max_rows})"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("rotation", "version__academic_year")


class CallAssignmentInline(RecentAssignmentsInline):
    """The person's latest calls."""

    model = CallAssignment
    fields = ("kind", "start", "end", "worked_hours", "version", "source")
    ordering = ("-start",)
    verbose_name_plural = f"calls (latest {RecentRowsFormSet.max_rows})"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("version__academic_year")


class AcademicYearAddForm(forms.ModelForm):
    """A new year: its blocks are laid out by the academic_year_plan/create services, not typed in."""

    name = forms.CharField(max_length=40, required=False, help_text="Blank: named after its years, e.g. 2026-2027.")

    class Meta:
        model = AcademicYear
        fields = ADD_YEAR_FIELDS

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        options = {name: cleaned.get(name) for name in ADD_YEAR_FIELDS if name != "is_current"}
        options["name"] = options["name"] or None
        try:
            academic_year_plan(**options)
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(AcademicYear)
class AcademicYearAdmin(TrackedSchedulingAdmin):
    """A program's academic years; a new one gets its blocks laid out, then they are editable inline."""

    list_display = ("name", "program", "start_date", "end_date", "block_count", "block_length_days", "is_current")
    list_filter = (PROGRAM_FILTER, "is_current")
    list_select_related = ("program",)
    search_fields = ("name",)
    date_hierarchy = "start_date"
    inlines = (BlockInline,)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if obj is None:
            kwargs.update(form=AcademicYearAddForm, fields=ADD_YEAR_FIELDS)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return [(None, {"fields": ADD_YEAR_FIELDS})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request: HttpRequest, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: AcademicYear, form, change: bool) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        options = {name: form.cleaned_data.get(name) for name in ADD_YEAR_FIELDS if name != "is_current"}
        options["name"] = options["name"] or None
        year = academic_year_create(make_current=form.cleaned_data.get("is_current", False), **options)
        obj.pk, obj.name, obj.end_date, obj.is_current = year.pk, year.name, year.end_date, year.is_current


@admin.register(Block)
class BlockAdmin(TrackedSchedulingAdmin):
    """Rotation blocks of the academic years."""

    list_display = ("__str__", "academic_year", "number", "start_date", "end_date", "days", "program")
    list_filter = (PROGRAM_FILTER, _related_only("academic_year"))
    list_select_related = ("academic_year", "program")
    search_fields = ("academic_year__name", "number__exact")
    autocomplete_fields = ("academic_year",)
    date_hierarchy = "start_date"
    ordering = ("academic_year__start_date", "number")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Block]:
        return super().get_queryset(request).select_related(*self.list_select_related)


@admin.register(SessionTime)
class SessionTimeAdmin(TrackedSchedulingAdmin):
    """Clock times of the AM and PM sessions."""

    list_display = ("session", "start_time", "end_time", "hours", "program")
    list_filter = (PROGRAM_FILTER, "session")
    list_select_related = ("program",)
    search_fields = ("session",)


@admin.register(CalendarDay)
class CalendarDayAdmin(TrackedSchedulingAdmin):
    """Holidays, minimal-manning days and closures."""

    list_display = ("date", "day_type", "name", "capacity_factor", "program")
    list_filter = (PROGRAM_FILTER, "day_type")
    list_select_related = ("program",)
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(Person)
class PersonAdmin(TrackedSchedulingAdmin):
    """Residents, faculty and staff, with their latest assignments."""

    list_display = ("__str__", "kind", "pgy", "faculty_role", "email", "user", "is_active", "program")
    list_filter = (PROGRAM_FILTER, "kind", "pgy", "faculty_role", "is_active")
    list_select_related = ("program", "user")
    search_fields = ("first_name", "last_name", "email", "specialties", "phone", "pager")
    user_fields = ("user",)
    readonly_fields = ("all_assignments",)
    inlines = (BlockAssignmentInline, SessionAssignmentInline, CallAssignmentInline)
    fieldsets = (
        (None, {"fields": ("program", "kind", "first_name", "last_name", "email", "user", "is_active")}),
        ("Contact numbers", {"fields": ("phone", "pager"), "description": "Shown to the program's members."}),
        ("Training", {"fields": ("pgy", "faculty_role", "specialties")}),
        ("Targets", {"fields": ("clinic_min_per_week", "clinic_max_per_week", "fmit_target_weeks")}),
        ("Assignments", {"fields": ("all_assignments",)}),
    )

    @admin.display(description="All assignments")
    def all_assignments(self, obj: Person) -> str:
        if obj.pk is None:
            return "—"
        links = [
            (reverse(f"admin:scheduling_{model._meta.model_name}_changelist"), obj.pk, model._meta.verbose_name_plural)
            for model in (BlockAssignment, SessionAssignment, CallAssignment)
        ]
        return format_html_join(" · ", '<a href="{}?person__id__exact={}">{}</a>', links)


class RotationTemplateForm(forms.ModelForm):
    """Work days as weekday checkboxes, stored as a sorted list of weekday numbers."""

    work_days = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Weekdays with duty (a night rotation works the night starting on these days).",
    )

    class Meta:
        model = RotationTemplate
        fields = ("work_days",)  # the admin adds the fieldsets' fields

    def clean_work_days(self) -> list[int]:
        return sorted(set(self.cleaned_data["work_days"]))


@admin.register(RotationTemplate)
class RotationTemplateAdmin(TrackedSchedulingAdmin):
    """Rotations, their kind, PGY range, staffing limits and what the engine needs to know about them."""

    form = RotationTemplateForm
    list_display = (
        "name",
        "abbreviation",
        "colour_swatch",
        "kind",
        "min_pgy",
        "max_pgy",
        "min_residents",
        "max_residents",
        "work_days_display",
        "is_night",
        "call_eligible",
        "continuity_clinic",
        "is_active",
        "program",
    )
    list_filter = (
        PROGRAM_FILTER,
        "kind",
        "is_active",
        "is_night",
        "call_eligible",
        "continuity_clinic",
        "allows_half_block",
        "leave_allowed",
    )
    list_select_related = ("program",)
    search_fields = ("name", "abbreviation")
    fieldsets = (
        (None, {"fields": ("program", "name", "abbreviation", "colour", "kind", "is_active")}),
        ("Residents", {"fields": ("min_pgy", "max_pgy", "min_residents", "max_residents")}),
        (
            "Engine",
            {
                "fields": (
                    "work_days",
                    "is_night",
                    "call_eligible",
                    "continuity_clinic",
                    "clinic_sessions_per_week",
                    "leave_allowed",
                    "requires_supervision",
                    "allows_half_block",
                    "required_credentials",
                    "supervisor_credentials",
                )
            },
        ),
    )

    actions = ("archive",)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """A rotation a schedule uses is archived, not deleted: it names what people did, in every version.

        Answered before Django gathers the thousands of assignments that would block the delete (seconds).
        """
        in_use = [rotation for rotation in objs if rotation_in_use(rotation)]
        if in_use:
            return (
                [],
                {},
                set(),
                [f"{r.name} is used by schedules: archive it instead (untick Active)." for r in in_use],
            )
        return super().get_deleted_objects(objs, request)

    @admin.action(description="Archive the selected rotations (the engine stops using them)", permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[RotationTemplate]) -> None:
        for rotation in queryset.filter(is_active=True):
            rotation.is_active = False
            rotation._change_reason = "Archived"
            rotation.save(update_fields=["is_active"])
            self.message_user(request, f"Archived {rotation.name}.", messages.SUCCESS)

    @admin.display(description="Work days")
    def work_days_display(self, obj: RotationTemplate) -> str:
        return obj.work_days_display

    @admin.display(description="Colour", ordering="colour")
    def colour_swatch(self, obj: RotationTemplate) -> str:
        if not HEX_COLOUR.match(obj.colour):
            return obj.colour
        return format_html(
            '<span style="display:inline-block;width:1.2em;height:1.2em;vertical-align:middle;'
            'border:1px solid #888;border-radius:2px;background:{}"></span> {}',
            obj.colour,
            obj.colour,
        )


@admin.register(RotationRequirement)
class RotationRequirementAdmin(TrackedSchedulingAdmin):
    """Required rotations: blocks of a rotation every resident of a PGY level spends in the year."""

    list_display = ("__str__", "pgy", "rotation", "min_blocks", "max_blocks", "program")
    list_filter = (PROGRAM_FILTER, "pgy", _related_only("rotation"))
    list_select_related = ("rotation", "program")
    search_fields = ("rotation__name", "rotation__abbreviation")
    autocomplete_fields = ("rotation",)
    ordering = ("pgy", "rotation__name")


class ScheduleRunStartForm(forms.ModelForm):
    """A new run: the year, its blocks and the solver's limits, checked and started by the run services."""

    last_block = forms.IntegerField(required=False, min_value=0, help_text="Blank: the year's last block.")
    time_limit = forms.IntegerField(
        min_value=TIME_LIMIT_RANGE[0], max_value=TIME_LIMIT_RANGE[1], initial=60, help_text="Seconds."
    )
    seed = forms.IntegerField(
        min_value=SEED_RANGE[0],
        max_value=SEED_RANGE[1],
        initial=0,
        help_text="The same seed and data give the same schedule.",
    )
    workers = forms.IntegerField(
        min_value=WORKERS_RANGE[0], max_value=WORKERS_RANGE[1], initial=2, help_text="Solver threads."
    )
    request_user = None  # set per request by ScheduleRunAdmin.get_form

    class Meta:
        model = ScheduleRun
        fields = ("academic_year", "first_block", "last_block")

    def start_options(self) -> dict:
        data = self.cleaned_data
        names = ("academic_year", "first_block", "last_block", "time_limit", "seed", "workers")
        return {name: data.get(name) for name in names}

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors:
            try:
                schedule_run_validate(user=self.request_user, **self.start_options())
            except (DomainError, PermissionDenied) as exc:
                raise forms.ValidationError(str(exc)) from exc
        return cleaned


RUN_START_FIELDS = ("academic_year", "first_block", "last_block", "time_limit", "seed", "workers")


@admin.register(ScheduleRun)
class ScheduleRunAdmin(TrackedSchedulingAdmin):
    """Schedule generations: adding one starts it through its service; its progress and result are only shown."""

    list_display = (
        "__str__",
        "academic_year",
        "first_block",
        "last_block",
        "status",
        "solutions_found",
        "objective",
        "gap",
        "elapsed_seconds",
        "cancel_requested",
        "created_at",
        "program",
    )
    list_filter = (PROGRAM_FILTER, "status", _related_only("academic_year"), "cancel_requested")
    list_select_related = ("academic_year", "program")
    search_fields = ("id__exact", "academic_year__name", "message")
    autocomplete_fields = ("academic_year",)
    date_hierarchy = "created_at"
    actions = ("request_cancel",)
    readonly_fields = (
        "program",
        "academic_year",
        "first_block",
        "last_block",
        "parameters",
        "status",
        "cancel_requested",
        "solutions_found",
        "objective",
        "best_bound",
        "gap_percent",
        "elapsed_seconds",
        "started_at",
        "finished_at",
        "draft_version",
        "message",
        "statistics",
        "created_by",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("program", "academic_year", "first_block", "last_block", "parameters")}),
        (
            "Progress",
            {
                "fields": (
                    "status",
                    "cancel_requested",
                    "solutions_found",
                    "objective",
                    "best_bound",
                    "gap_percent",
                    "elapsed_seconds",
                    "started_at",
                    "finished_at",
                )
            },
        ),
        ("Result", {"fields": ("message", "draft_version", "statistics")}),
        ("Audit", {"fields": ("created_by", "created_at")}),
    )

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if obj is None:
            kwargs.update(form=ScheduleRunStartForm, fields=RUN_START_FIELDS)
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user  # a class made for this request by modelform_factory
        return form

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return [(None, {"fields": RUN_START_FIELDS})] if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ScheduleRun, form, change: bool) -> None:
        """Adding starts the run through `schedule_run_start`; a run itself is never edited."""
        if change:
            return
        run = schedule_run_start(user=request.user, **form.start_options())
        obj.pk, obj.program_id, obj.last_block, obj.created_at = run.pk, run.program_id, run.last_block, run.created_at

    @admin.display(description="Gap")
    def gap_percent(self, obj: ScheduleRun) -> str:
        return "—" if obj.gap is None else f"{obj.gap:.2%}"

    @admin.display(description="Draft version")
    def draft_version(self, obj: ScheduleRun) -> str:
        version_id = (obj.statistics or {}).get("version_id")
        if not version_id:
            return "—"
        url = reverse("admin:scheduling_scheduleversion_change", args=[version_id])
        return format_html('<a href="{}">version {}</a>', url, (obj.statistics or {}).get("version_number"))

    @admin.action(description="Request cancel of the selected queued or running runs", permissions=["change"])
    def request_cancel(self, request: HttpRequest, queryset: QuerySet[ScheduleRun]) -> None:
        cancelled, refused = 0, []
        for run in queryset:
            try:
                schedule_run_cancel(run=run, user=request.user)
            except (DomainError, PermissionDenied) as exc:
                refused.append(str(exc))
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"Cancel requested for {cancelled} run(s).", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(TrackedSchedulingAdmin):
    """Draft, published and archived schedules; publishing goes through its service, so status is shown only."""

    list_display = ("__str__", "academic_year", "number", "status", "run", "published_at", "created_at", "program")
    list_filter = (PROGRAM_FILTER, "status", _related_only("academic_year"))
    list_select_related = ("academic_year", "run", "program")
    search_fields = ("academic_year__name", "number__exact", "note")
    autocomplete_fields = ("academic_year", "run")
    readonly_fields = ("status", "published_at", "published_by", "publish_reason", "created_at")
    date_hierarchy = "created_at"
    actions = ("publish",)

    def get_readonly_fields(self, request: HttpRequest, obj: ScheduleVersion | None = None):
        """A version keeps its year, number and run; only its note is edited here."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, "academic_year", "number", "run")

    def has_delete_permission(self, request: HttpRequest, obj: ScheduleVersion | None = None) -> bool:
        """Only drafts are deleted; a published or archived schedule is what people worked and stays readable."""
        if obj is not None and obj.status != ScheduleVersion.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScheduleVersion]:
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """Deleting is discarding a draft: said in one line, without listing its thousands of assignments."""
        lines = [f"{version} and all its assignments (each deletion is kept in the history)" for version in objs]
        return lines, {}, set(), []

    def delete_model(self, request: HttpRequest, obj: ScheduleVersion) -> None:
        schedule_version_discard(version=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ScheduleVersion]) -> None:
        for version in queryset:
            try:
                schedule_version_discard(version=version, user=request.user)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.WARNING)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return self._permitted(request, Action.PUBLISH)

    @admin.action(
        description="Publish the selected draft (archives the year's published version)", permissions=["publish"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[ScheduleVersion]) -> None:
        for version in queryset.order_by("number"):
            try:
                published = schedule_version_publish(version=version, user=request.user)
            except ComplianceBreachError as exc:
                # The reason it needs is written on the compare page, which lists the breaches.
                url = reverse("version-compare", args=[version.pk])
                text = format_html('{} Publish it from <a href="{}">its compare page</a> ({}).', exc, url, url)
                self.message_user(request, text, messages.WARNING)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(request, f"Published {published}.", messages.SUCCESS)


class AssignmentAdmin(TrackedSchedulingAdmin):
    """Shared options of the three assignment admins: read only, with their history.

    Assignments change on the schedule pages (and the API), where the ACGME checker and the program's rules run
    first, breaking one needs a reason, rows are locked against racing edits and the person is told.
    """

    user_fields = ("acknowledged_by",)
    readonly_fields = ("source",)
    override_fieldset = ("Rule override", {"fields": ("override_reason", "acknowledged_by")})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "subtitle": "Read only: edit a cell on the schedule pages."}
        return super().changelist_view(request, extra_context)


@admin.register(BlockAssignment)
class BlockAssignmentAdmin(AssignmentAdmin):
    """Residents' rotations per block (or half-block)."""

    list_display = ("person", "block", "half", "rotation", "version", "source", "program")
    list_filter = (
        PROGRAM_FILTER,
        _related_only("block__academic_year"),
        _related_only("rotation"),
        PgyFilter,
        "half",
        "source",
        "version__status",
    )
    list_select_related = ("person", "block__academic_year", "rotation", "version__academic_year", "program")
    search_fields = ("person__first_name", "person__last_name", "rotation__name", "rotation__abbreviation")
    autocomplete_fields = ("person", "block", "rotation", "version")
    fieldsets = (
        (None, {"fields": ("program", "version", "person", "block", "half", "rotation", "source")}),
        AssignmentAdmin.override_fieldset,
    )


@admin.register(SessionAssignment)
class SessionAssignmentAdmin(AssignmentAdmin):
    """Half-day activities per person and session."""

    list_display = ("date", "session", "person", "activity", "rotation", "version", "source", "program")
    list_filter = (
        PROGRAM_FILTER,
        "session",
        "activity",
        _related_only("rotation"),
        PgyFilter,
        "source",
        "version__status",
    )
    list_select_related = ("person", "rotation", "version__academic_year", "program")
    search_fields = ("person__first_name", "person__last_name", "rotation__name", "rotation__abbreviation")
    autocomplete_fields = ("person", "rotation", "version")
    date_hierarchy = "date"
    fieldsets = (
        (None, {"fields": ("program", "version", "person", "date", "session", "activity", "rotation", "source")}),
        AssignmentAdmin.override_fieldset,
    )


@admin.register(CallAssignment)
class CallAssignmentAdmin(AssignmentAdmin):
    """Call duty periods."""

    list_display = ("start", "end", "kind", "person", "worked_hours", "version", "source", "program")
    list_filter = (PROGRAM_FILTER, "kind", PgyFilter, "source", "version__status")
    list_select_related = ("person", "version__academic_year", "program")
    search_fields = ("person__first_name", "person__last_name")
    autocomplete_fields = ("person", "version")
    date_hierarchy = "start"
    fieldsets = (
        (None, {"fields": ("program", "version", "person", "kind", "start", "end", "worked_hours", "source")}),
        AssignmentAdmin.override_fieldset,
    )


WISH_FIELDS = ("kind", "week_start", "rotation", "block", "priority", "reason")


@admin.register(Preference)
class PreferenceAdmin(ServiceAdminMixin, TrackedSchedulingAdmin):
    """Wishes, entered, changed and withdrawn through their services (week start, limits, clashes); deleting one
    withdraws it, so its history stays. The window does not bind here: the admin is for managers."""

    list_display = (
        "person",
        "kind",
        "week_start",
        "rotation",
        "block",
        "priority",
        "status",
        "academic_year",
        "program",
    )
    list_filter = ("status", "kind", "priority", PROGRAM_FILTER)
    list_select_related = ("person", "rotation", "block", "academic_year", "program")
    search_fields = ("person__first_name", "person__last_name", "reason")
    date_hierarchy = "week_start"
    autocomplete_fields = ("person",)
    readonly_fields = ("status", "created_by", "created_at", "updated_at")

    def get_fields(self, request: HttpRequest, obj: Preference | None = None):
        return ("program", "person", "academic_year", *WISH_FIELDS, *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Preference | None = None):
        fixed = ("program", "person", "academic_year", "kind") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def service_save(self, request: HttpRequest, obj: Preference, form, change: bool) -> Preference:
        data = form.cleaned_data
        if change:
            return preference_change(
                preference=obj,
                user=request.user,
                **{name: data.get(name) for name in ("priority", "week_start", "rotation", "block", "reason")},
            )
        return preference_create(
            user=request.user,
            program=data["program"],
            person=data["person"],
            academic_year=data.get("academic_year"),
            **{name: data.get(name) for name in WISH_FIELDS},
        )

    def service_delete(self, request: HttpRequest, obj: Preference) -> None:
        preference_withdraw(preference=obj, user=request.user)


@admin.register(WishWindow)
class WishWindowAdmin(ServiceAdminMixin, TrackedSchedulingAdmin):
    """When people enter their wishes for an academic year, and the per-kind limits (blank: no limit)."""

    list_display = ("academic_year", "opens_on", "closes_on", "program")
    list_filter = (PROGRAM_FILTER,)
    list_select_related = ("academic_year", "program")
    limits = ("blocked_week_limit", "preferred_week_limit", "rotation_wish_limit", "rotation_avoid_limit")

    def get_fields(self, request: HttpRequest, obj: WishWindow | None = None):
        return ("program", "academic_year", "opens_on", "closes_on", *self.limits)

    def get_readonly_fields(self, request: HttpRequest, obj: WishWindow | None = None):
        return ("program", "academic_year") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: WishWindow | None = None) -> bool:
        return False  # close the window by moving its dates; its history stays

    def service_save(self, request: HttpRequest, obj: WishWindow, form, change: bool) -> WishWindow:
        data = form.cleaned_data
        year = obj.academic_year if change else data["academic_year"]
        return wish_window_set(
            user=request.user,
            academic_year=year,
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            **{name: data.get(name) for name in self.limits},
        )


@admin.register(FmitYearConfig)
class FmitYearConfigAdmin(ServiceAdminMixin, TrackedSchedulingAdmin):
    """An academic year's FMIT rules (week start, attendings per week, consecutive weeks, gap, recovery day, the
    quarter imbalance tolerance); saved through `fmit_year_config_update`. Faculty targets are on each person."""

    list_display = ("academic_year", "week_start_day", "min_attendings", "max_attendings", "program")
    list_filter = (PROGRAM_FILTER,)
    list_select_related = ("academic_year", "program")

    def get_fields(self, request: HttpRequest, obj: FmitYearConfig | None = None):
        return ("program", "academic_year", *FMIT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: FmitYearConfig | None = None):
        return ("program", "academic_year") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: FmitYearConfig | None = None) -> bool:
        return False  # a year always reads some rules; change them instead

    def service_save(self, request: HttpRequest, obj: FmitYearConfig, form, change: bool) -> FmitYearConfig:
        data = form.cleaned_data
        year = obj.academic_year if change else data["academic_year"]
        values = {name: data[name] for name in FMIT_FIELDS if name in data}
        return fmit_year_config_update(academic_year=year, user=request.user, values=values)
