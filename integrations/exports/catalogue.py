"""What an export template can hold: its datasets, each one's formats and known columns, the range presets
and groupings. Plain data, read by the model's choices, the service's validation, the form and the API."""

from dataclasses import dataclass

SCHEDULE, PEOPLE, ABSENCES = "schedule", "people", "absences"
XLSX, PDF, CSV, ICS = "xlsx", "pdf", "csv", "ics"

DATASETS = [
    (SCHEDULE, "Schedule (half-days and calls)"),
    (PEOPLE, "People"),
    (ABSENCES, "Absences"),
]
FORMATS = [(XLSX, "Excel workbook (.xlsx)"), (PDF, "PDF (.pdf)"), (CSV, "CSV text (.csv)"), (ICS, "Calendar (.ics)")]
FORMATS_OF = {SCHEDULE: (XLSX, PDF, CSV, ICS), PEOPLE: (XLSX, CSV), ABSENCES: (XLSX, PDF, CSV)}


@dataclass(frozen=True)
class Column:
    key: str
    label: str


# The columns each dataset knows, in their default order. Absences never carry the private note (nor the
# decision's reason): there is no column for it, so no template can ask for it.
COLUMNS: dict[str, tuple[Column, ...]] = {
    SCHEDULE: (
        Column("date", "Date"),
        Column("session", "Session"),
        Column("person", "Person"),
        Column("kind", "Kind"),
        Column("pgy", "PGY"),
        Column("code", "Code"),
        Column("label", "What"),
        Column("rotation", "Rotation"),
        Column("call", "Call"),
    ),
    PEOPLE: (
        Column("name", "Name"),
        Column("first_name", "First name"),
        Column("last_name", "Last name"),
        Column("email", "Email"),
        Column("kind", "Kind"),
        Column("pgy", "PGY"),
        Column("faculty_role", "Faculty role"),
        Column("specialties", "Specialties"),
        Column("phone", "Phone"),
        Column("pager", "Pager"),
        Column("active", "Active"),
    ),
    ABSENCES: (
        Column("person", "Person"),
        Column("pgy", "PGY"),
        Column("kind", "Kind"),
        Column("start_date", "First day"),
        Column("end_date", "Last day"),
        Column("half_day", "Half-day"),
        Column("days", "Days"),
        Column("status", "Status"),
        Column("location", "Location"),
        Column("tentative_return_date", "Tentative return"),
    ),
}
COLUMN_LABELS = {dataset: {c.key: c.label for c in columns} for dataset, columns in COLUMNS.items()}

# Range presets: relative to the program's today when the template runs.
NEXT_4_WEEKS, THIS_BLOCK, NEXT_BLOCK, THIS_YEAR, CUSTOM = (
    "next_4_weeks",
    "this_block",
    "next_block",
    "this_academic_year",
    "custom",
)
RANGES = [
    (NEXT_4_WEEKS, "Next 4 weeks"),
    (THIS_BLOCK, "This block"),
    (NEXT_BLOCK, "Next block"),
    (THIS_YEAR, "This academic year"),
    (CUSTOM, "Days from today (offset and length)"),
]
MAX_LENGTH_DAYS = 400  # a little over an academic year

BY_PERSON, BY_DAY, BY_ROTATION = "person", "day", "rotation"
GROUPINGS = [(BY_PERSON, "By person"), (BY_DAY, "By day"), (BY_ROTATION, "By rotation")]

PERSON_KINDS = ("resident", "faculty", "staff")
