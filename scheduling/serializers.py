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

PERSON_HELP = {
    "kind": "resident, faculty or staff (other staff).",
    "first_name": "Given name, at most 80 characters.",
    "last_name": "Family name, at most 80 characters.",
    "email": "Work email, for the roster's records (not shown to other members).",
    "pgy": "Postgraduate year 1-8: required for residents, null for everyone else.",
    "faculty_role": "Faculty only: pd, apd, core, chief, adjunct, sports_med or oic; blank otherwise.",
    "specialties": "Comma-separated, e.g. OB, sports.",
    "clinic_min_per_week": "Faculty: fewest continuity clinic half-days a week (0-10).",
    "clinic_max_per_week": "Faculty: most continuity clinic half-days a week (0-10), not below the minimum.",
    "fmit_target_weeks": "Faculty: weeks of FMIT (inpatient teaching) a year they aim for (0-52).",
    "phone": "Phone number shown to the program's members (digits, spaces, + and an extension allowed).",
    "pager": "Pager number shown to the program's members.",
    "is_active": "False for someone who left: the engine and the pickers stop offering them.",
}
ROTATION_HELP = {
    "name": "Unique in the program, e.g. Inpatient medicine.",
    "abbreviation": "Up to 8 characters, unique in the program; shown in the grid.",
    "colour": "Hex colour of its cells, e.g. #1f77b4.",
    "kind": "What kind of work it is; the engine treats fmit, night_float and off specially.",
    "min_pgy": "Lowest PGY level that may take it (1-8).",
    "max_pgy": "Highest PGY level that may take it (1-8), not below `min_pgy`.",
    "leave_allowed": "Whether residents on it may take leave.",
    "requires_supervision": "Whether faculty supervision is needed on its work days.",
    "is_active": "False archives it: the engine and the edit forms stop offering it.",
}
ASSIGNMENT_HELP = {
    "version": "Id of the schedule version the row belongs to.",
    "person": "Id of the person.",
    "source": "Who made the row: solver, manual (an edit), swap or import.",
    "academic_year": "Id of the academic year.",
}


def helped(texts: dict[str, str], *names: str) -> dict[str, dict[str, str]]:
    """`extra_kwargs` giving these fields their help texts (all of `texts` without names)."""
    return {name: {"help_text": texts[name]} for name in names or texts}


class PersonSerializer(serializers.ModelSerializer):
    """A scheduled person. Contact details and the linked login stay out of the shared roster."""

    full_name = serializers.CharField(read_only=True, help_text="First and last name.")
    # Declared so the schema allows the blank value every non-faculty person has.
    faculty_role = serializers.ChoiceField(
        choices=Person.FacultyRole.choices, allow_blank=True, read_only=True, help_text=PERSON_HELP["faculty_role"]
    )

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
        extra_kwargs = helped(PERSON_HELP, "kind", "first_name", "last_name", "pgy", "fmit_target_weeks", "is_active")


class RotationSerializer(serializers.ModelSerializer):
    """A rotation template with its eligibility, staffing limits and flags."""

    class Meta:
        model = RotationTemplate
        fields = ["id", *ROTATION_FIELDS]
        read_only_fields = fields
        extra_kwargs = helped(ROTATION_HELP)


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
        extra_kwargs = {
            "start_date": {"help_text": "First day of the year (usually 1 July)."},
            "end_date": {"help_text": "Last day of the year (usually 30 June)."},
            "block_count": {"help_text": "Rotation blocks planned in the year (13 by default)."},
            "block_length_days": {"help_text": "Days in a block (28 by default)."},
            "is_current": {"help_text": "The year the pages open on; one per program."},
        }


class BlockSerializer(serializers.ModelSerializer):
    """A block of an academic year (0 is orientation) with its inclusive dates."""

    days = serializers.IntegerField(read_only=True, help_text="Length in days, both ends included.")

    class Meta:
        model = Block
        fields = ["id", "academic_year", "number", "start_date", "end_date", "days"]
        read_only_fields = fields
        extra_kwargs = {
            "academic_year": {"help_text": "Id of the block's academic year."},
            "number": {"help_text": "0 is orientation, then 1, 2, ..."},
            "start_date": {"help_text": "First day of the block."},
            "end_date": {"help_text": "Last day of the block, included."},
        }


# The schedule: runs, versions and assignments.


class UserSummarySerializer(serializers.Serializer):
    """Who did something: the login's id and full name (blank without one). Never the email: a published
    version is read by the whole program, and logins are not part of the shared roster.
    """

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True, help_text="Full name (blank without one).")


class ScheduleRunSerializer(serializers.ModelSerializer):
    """A schedule generation: its blocks and parameters, live progress while it runs, and the outcome."""

    created_by = UserSummarySerializer(read_only=True, allow_null=True, help_text="Who asked for the run.")
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
        extra_kwargs = {
            "academic_year": {"help_text": "Id of the academic year scheduled."},
            "first_block": {"help_text": "First block scheduled."},
            "last_block": {"help_text": "Last block scheduled."},
            "status": {"help_text": "queued, running, succeeded, infeasible, cancelled or failed."},
            "cancel_requested": {"help_text": "A cancel was asked; a running solve stops within seconds."},
            "solutions_found": {"help_text": "Schedules the solver has found so far."},
            "objective": {"help_text": "Penalty of the best schedule so far (lower is better)."},
            "best_bound": {"help_text": "The best penalty still possible, as the solver proves it."},
            "gap": {"help_text": "Relative gap between the objective and the bound (0 = proven best)."},
            "elapsed_seconds": {"help_text": "Seconds the solver has searched."},
            "statistics": {"help_text": "The result's figures once finished: rules broken, wishes granted..."},
            "created_at": {"help_text": "When the run was asked for."},
            "started_at": {"help_text": "When the solver started."},
            "finished_at": {"help_text": "When it finished."},
        }


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

    published_by = UserSummarySerializer(read_only=True, allow_null=True, help_text="Who published it.")
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
        extra_kwargs = {
            "academic_year": {"help_text": "Id of the academic year."},
            "number": {"help_text": "The version's number in its year (1, 2, ...)."},
            "status": {"help_text": "draft, published or archived."},
            "note": {"help_text": "What the version is (e.g. Restored from version 2)."},
            "run": {"help_text": "Id of the run that produced it (null if made otherwise)."},
            "created_at": {"help_text": "When it was made."},
            "published_at": {"help_text": "When it was published (null for a draft)."},
        }


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
    id = serializers.IntegerField(help_text="Id of the person (null for a session's finding).", allow_null=True)
    name = serializers.CharField(help_text="The person's name, or the site and people there.")


class BreachSerializer(serializers.Serializer):
    """An ACGME violation that stops a publish without a reason (documents the 409 problem's `breaches`)."""

    rule = serializers.CharField(help_text="The checker's rule id, e.g. continuous_duty.")
    clause = serializers.CharField(help_text="The ACGME clause, e.g. 6.22.")
    label = serializers.CharField(help_text="What the value measures.")
    person = BreachPersonSerializer(help_text="The resident.")
    start = serializers.DateTimeField(help_text="Start of the window or duty period (program's time zone).")
    end = serializers.DateTimeField(help_text="End of the window or duty period.")
    value = serializers.FloatField(help_text="The measured value.")
    limit = serializers.FloatField(help_text="The limit it passed.")


class PublishRefusedSerializer(ProblemSerializer):
    """The problem document of a publish refused for ACGME breaches (documentation only)."""

    breaches = BreachSerializer(many=True, required=False, help_text="Each ACGME violation of the draft.")


ASSIGNMENT_FIELDS = ["id", "version", "person", "person_name", "source"]


class BlockAssignmentSerializer(serializers.ModelSerializer):
    """A resident's rotation for a block (or half of it), with the dates it covers."""

    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The person's name.")
    academic_year = serializers.IntegerField(
        source="block.academic_year_id", read_only=True, help_text=ASSIGNMENT_HELP["academic_year"]
    )
    block_number = serializers.IntegerField(source="block.number", read_only=True, help_text="The block's number.")
    rotation_name = serializers.CharField(source="rotation.name", read_only=True, help_text="The rotation's name.")
    rotation_abbreviation = serializers.CharField(
        source="rotation.abbreviation", read_only=True, help_text="The rotation's abbreviation."
    )
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
        extra_kwargs = {
            **helped(ASSIGNMENT_HELP, "version", "person", "source"),
            "block": {"help_text": "Id of the block."},
            "half": {"help_text": "whole, first or second (a 14-day half of the block)."},
            "rotation": {"help_text": "Id of the rotation template."},
        }

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

    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The person's name.")
    academic_year = serializers.IntegerField(
        source="version.academic_year_id", read_only=True, help_text=ASSIGNMENT_HELP["academic_year"]
    )
    rotation_abbreviation = serializers.CharField(
        source="rotation.abbreviation", read_only=True, allow_null=True, help_text="The rotation's abbreviation."
    )

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
        extra_kwargs = {
            **helped(ASSIGNMENT_HELP, "version", "person", "source"),
            "date": {"help_text": "The date (YYYY-MM-DD)."},
            "session": {"help_text": "AM or PM."},
            "activity": {"help_text": "What the person does: rotation duty, clinic, off, leave, post-call..."},
            "rotation": {"help_text": "Id of the rotation the duty belongs to (null for clinic, off, leave)."},
        }


class CallAssignmentSerializer(serializers.ModelSerializer):
    """A call duty period with its own start and end (ISO 8601 with the UTC offset)."""

    person_name = serializers.CharField(source="person.full_name", read_only=True, help_text="The person's name.")
    academic_year = serializers.IntegerField(
        source="version.academic_year_id", read_only=True, help_text=ASSIGNMENT_HELP["academic_year"]
    )

    class Meta:
        model = CallAssignment
        fields = [*ASSIGNMENT_FIELDS, "academic_year", "kind", "start", "end", "worked_hours"]
        read_only_fields = fields
        extra_kwargs = {
            **helped(ASSIGNMENT_HELP, "version", "person", "source"),
            "kind": {"help_text": "in_house, home, backup or weekend."},
            "start": {"help_text": "Start of the duty (ISO 8601 with the UTC offset)."},
            "end": {"help_text": "End of the duty."},
        }
