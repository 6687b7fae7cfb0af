"""API shapes of people, rotations and the calendar. Read-only: rules live in services."""

from rest_framework import serializers

from scheduling.models import AcademicYear, Block, Person, RotationTemplate


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
        fields = [
            "id",
            "name",
            "abbreviation",
            "colour",
            "kind",
            "min_pgy",
            "max_pgy",
            "min_residents",
            "max_residents",
            "leave_allowed",
            "requires_supervision",
            "allows_half_block",
            "clinic_sessions_per_week",
            "work_days",
            "is_night",
            "continuity_clinic",
            "call_eligible",
            "is_active",
        ]
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
