"""API shapes of people, rotations, the calendar and the schedule. Serializers check shape; rules live in services."""

import datetime as dt

from rest_framework import serializers

from scheduling.models import (
    AcademicYear,
    Block,
    BlockAssignment,
    CallAssignment,
    Person,
    RotationTemplate,
    ScheduleRun,
    ScheduleVersion,
    SessionAssignment,
)
from scheduling.services import SEED_RANGE, TIME_LIMIT_RANGE, WORKERS_RANGE
from scheduling.services.rotations import ROTATION_FIELDS
from tenants.api import ProblemSerializer


class PersonSerializer(serializers.ModelSerializer):
    """A scheduled person. Contact details and the linked login stay out of the shared roster."""

    full_name = serializers.CharField(read_only=True)
    # Declared so the schema allows the blank value every non-faculty person has.
    faculty_role = serializers.ChoiceField(choices=Person.FacultyRole.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "kind",
            "first_name",
            "last_name",
            "full_name",
            "pgy",
            "faculty_role",
            "specialties",
            "clinic_min_per_week",
            "clinic_max_per_week",
            "fmit_target_weeks",
            "is_active",
        ]
        read_only_fields = fields


class RotationSerializer(serializers.ModelSerializer):
    """A rotation template with its eligibility, staffing limits and flags."""

    class Meta:
        model = RotationTemplate
        fields = ["id", *ROTATION_FIELDS]
        read_only_fields = fields


class AcademicYearSerializer(serializers.ModelSerializer):
    """An academic year; `block_count` is the planned number of blocks, `blocks_count` those that exist."""

    blocks_count = serializers.IntegerField(read_only=True, help_text="Blocks created for this year so far.")

    class Meta:
        model = AcademicYear
        fields = [
            "id",
            "name",
            "start_date",
            "end_date",
            "block_count",
            "block_length_days",
            "block_start_weekday",
            "orientation_days",
            "is_current",
            "blocks_count",
        ]
        read_only_fields = fields


class BlockSerializer(serializers.ModelSerializer):
    """A block of an academic year (0 is orientation) with its inclusive dates."""

    days = serializers.IntegerField(read_only=True, help_text="Length in days, both ends included.")

    class Meta:
        model = Block
        fields = ["id", "academic_year", "number", "start_date", "end_date", "days"]
        read_only_fields = fields


# The schedule: runs, versions and assignments.


class UserSummarySerializer(serializers.Serializer):
    """Who did something: the login's id and full name (blank without one). Never the email: a published
    version is read by the whole program, and logins are not part of the shared roster.
    """

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class ScheduleRunSerializer(serializers.ModelSerializer):
    """A schedule generation: its blocks and parameters, live progress while it runs, and the outcome."""

    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        source="statistics.version_id",
        read_only=True,
        allow_null=True,
        help_text="The draft schedule version the run produced, once it has finished with a schedule.",
    )

    class Meta:
        model = ScheduleRun
        fields = [
            "id",
            "academic_year",
            "first_block",
            "last_block",
            "status",
            "parameters",
            "cancel_requested",
            "solutions_found",
            "objective",
            "best_bound",
            "gap",
            "elapsed_seconds",
            "statistics",
            "message",
            "version",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ScheduleRunStartSerializer(serializers.Serializer):
    """What a new run needs: the year (of the active program), its block range, a time limit, a seed and workers.

    The limits are the run service's bounds (shared with the page and admin forms); the block numbers are
    checked against the year's blocks here so that a bad range names its field; `schedule_run_start` checks
    everything else.
    """

    academic_year = serializers.PrimaryKeyRelatedField(
        queryset=AcademicYear.objects.none(), help_text="Id of one of the program's academic years."
    )
    first_block = serializers.IntegerField(min_value=0, default=1, help_text="First block to schedule (default 1).")
    last_block = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, help_text="Last block to schedule (default: the year's last)."
    )
    time_limit = serializers.FloatField(
        min_value=TIME_LIMIT_RANGE[0],
        max_value=TIME_LIMIT_RANGE[1],
        default=60,
        help_text="Seconds the solver may search; it keeps the best schedule found by then.",
    )
    seed = serializers.IntegerField(
        min_value=SEED_RANGE[0],
        max_value=SEED_RANGE[1],
        default=0,
        help_text="Random seed, for repeatable runs (a 32-bit number: the solver takes no larger).",
    )
    workers = serializers.IntegerField(
        min_value=WORKERS_RANGE[0],
        max_value=WORKERS_RANGE[1],
        default=2,
        help_text="Solver threads (default 2).",
    )

    def __init__(self, *args, program=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if program is not None:
            self.fields["academic_year"].queryset = AcademicYear.objects.for_program(program)

    def validate(self, attrs: dict) -> dict:
        year = attrs["academic_year"]
        numbers = list(year.blocks.order_by("number").values_list("number", flat=True))
        if not numbers:
            raise serializers.ValidationError({"academic_year": f"{year} has no blocks to schedule."})
        if attrs.get("last_block") is None:
            attrs["last_block"] = numbers[-1]
        errors = {}
        for name in ("first_block", "last_block"):
            if attrs[name] not in numbers:
                errors[name] = f"Block {attrs[name]} does not exist: {year} has blocks {numbers[0]}-{numbers[-1]}."
        if not errors and attrs["first_block"] > attrs["last_block"]:
            errors["last_block"] = (
                f"The last block ({attrs['last_block']}) comes before the first block ({attrs['first_block']})."
            )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ScheduleVersionSerializer(serializers.ModelSerializer):
    """A whole schedule of a year (draft, published or archived) and how many assignments it holds."""

    published_by = UserSummarySerializer(read_only=True, allow_null=True)
    block_assignments_count = serializers.IntegerField(read_only=True, help_text="Block rotations in this version.")
    session_assignments_count = serializers.IntegerField(read_only=True, help_text="Half-day activities.")
    call_assignments_count = serializers.IntegerField(read_only=True, help_text="Call duty periods.")

    class Meta:
        model = ScheduleVersion
        fields = [
            "id",
            "academic_year",
            "number",
            "status",
            "note",
            "run",
            "created_at",
            "published_at",
            "published_by",
            "publish_reason",
            "block_assignments_count",
            "session_assignments_count",
            "call_assignments_count",
        ]
        read_only_fields = fields


class ScheduleVersionPublishSerializer(serializers.Serializer):
    """What publishing takes: the reason, needed when the draft breaks ACGME rules (kept with the version)."""

    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text="Why a draft that breaks ACGME rules is published anyway; ignored for a compliant draft.",
    )


class BreachPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BreachSerializer(serializers.Serializer):
    """An ACGME violation that stops a publish without a reason (documents the 409 problem's `breaches`)."""

    rule = serializers.CharField(help_text="The checker's rule id, e.g. continuous_duty.")
    clause = serializers.CharField(help_text="The ACGME clause, e.g. 6.22.")
    label = serializers.CharField(help_text="What the value measures.")
    person = BreachPersonSerializer(help_text="The resident.")
    start = serializers.DateTimeField(help_text="Start of the window or duty period (program's time zone).")
    end = serializers.DateTimeField()
    value = serializers.FloatField(help_text="The measured value.")
    limit = serializers.FloatField(help_text="The limit it passed.")


class PublishRefusedSerializer(ProblemSerializer):
    """The problem document of a publish refused for ACGME breaches (documentation only)."""

    breaches = BreachSerializer(many=True, required=False)


ASSIGNMENT_FIELDS = ["id", "version", "person", "person_name", "source"]


class BlockAssignmentSerializer(serializers.ModelSerializer):
    """A resident's rotation for a block (or half of it), with the dates it covers."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    academic_year = serializers.IntegerField(source="block.academic_year_id", read_only=True)
    block_number = serializers.IntegerField(source="block.number", read_only=True)
    rotation_name = serializers.CharField(source="rotation.name", read_only=True)
    rotation_abbreviation = serializers.CharField(source="rotation.abbreviation", read_only=True)
    start_date = serializers.SerializerMethodField(help_text="First day of the block, or of its half.")
    end_date = serializers.SerializerMethodField(help_text="Last day of the block, or of its half.")

    class Meta:
        model = BlockAssignment
        fields = [
            *ASSIGNMENT_FIELDS,
            "academic_year",
            "block",
            "block_number",
            "half",
            "start_date",
            "end_date",
            "rotation",
            "rotation_name",
            "rotation_abbreviation",
        ]
        read_only_fields = fields

    @staticmethod
    def _dates(assignment: BlockAssignment) -> tuple[dt.date, dt.date]:
        block = assignment.block
        middle = block.start_date + dt.timedelta(days=block.days // 2)
        if assignment.half == BlockAssignment.Half.FIRST:
            return block.start_date, middle - dt.timedelta(days=1)
        if assignment.half == BlockAssignment.Half.SECOND:
            return middle, block.end_date
        return block.start_date, block.end_date

    def get_start_date(self, assignment: BlockAssignment) -> dt.date:
        return self._dates(assignment)[0]

    def get_end_date(self, assignment: BlockAssignment) -> dt.date:
        return self._dates(assignment)[1]


class SessionAssignmentSerializer(serializers.ModelSerializer):
    """What a person does in one half-day session (AM or PM) of a date."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    academic_year = serializers.IntegerField(source="version.academic_year_id", read_only=True)
    rotation_abbreviation = serializers.CharField(source="rotation.abbreviation", read_only=True, allow_null=True)

    class Meta:
        model = SessionAssignment
        fields = [
            *ASSIGNMENT_FIELDS,
            "academic_year",
            "date",
            "session",
            "activity",
            "rotation",
            "rotation_abbreviation",
        ]
        read_only_fields = fields


class CallAssignmentSerializer(serializers.ModelSerializer):
    """A call duty period with its own start and end (ISO 8601 with the UTC offset)."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    academic_year = serializers.IntegerField(source="version.academic_year_id", read_only=True)

    class Meta:
        model = CallAssignment
        fields = [*ASSIGNMENT_FIELDS, "academic_year", "kind", "start", "end", "worked_hours"]
        read_only_fields = fields
