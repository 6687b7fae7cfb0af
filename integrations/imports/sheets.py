"""The sheet formats the wizard reads: for each kind of sheet its columns, the headings that suggest them, and
an example row (the downloadable templates and docs/import.md are drawn from here)."""

from dataclasses import dataclass

from integrations.imports.text import fold, similarity

SUGGEST_AT = 0.72  # a heading this alike a column's name (or a known heading) is suggested for it


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a sheet kind: `key` is the field it fills; `required` ones must be mapped."""

    key: str
    label: str
    help: str
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def headings(self) -> tuple[str, ...]:
        return tuple(fold(text) for text in (self.label, self.key, *self.aliases))


@dataclass(frozen=True, slots=True)
class SheetKind:
    """A kind of sheet, imported in `order` (people and rotations before the rows that name them)."""

    key: str
    label: str
    help: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    assignments: bool = False  # its rows go into the import's draft schedule version

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns if column.required)


PERSON = Column(
    "person",
    "Person",
    "Email address, “First Last” or “Last, First” of someone of the program or of the People sheet.",
    "Ana Lopez",
    required=True,
    aliases=("name", "resident", "faculty", "attending", "physician", "staff", "full name", "email"),
)

KINDS: tuple[SheetKind, ...] = (
    SheetKind(
        "people",
        "People",
        "Residents (with PGY) and faculty (with role). A row with the email, or the name, of someone already "
        "in the program updates them.",
        (
            Column("first_name", "First name", "Given name.", "Ana", aliases=("first", "given name", "prenom")),
            Column("last_name", "Last name", "Family name.", "Lopez", aliases=("last", "surname", "family name")),
            Column(
                "name", "Name", "The whole name, when there are no first/last name columns.", "", aliases=("full name",)
            ),
            Column("email", "Email", "Email address (optional).", "ana.lopez@example.org", aliases=("e-mail", "mail")),
            Column(
                "kind",
                "Type",
                "Resident, Faculty or Staff (a PGY makes a resident, a faculty role faculty).",
                "Resident",
                aliases=("kind", "category", "position"),
            ),
            Column("pgy", "PGY", "Residents' year: 1-8, or PGY-2.", "2", aliases=("pgy level", "year", "level")),
            Column(
                "faculty_role",
                "Faculty role",
                "PD, APD, Core, Chief, Adjunct, Sports medicine or OIC.",
                "",
                aliases=("role",),
            ),
            Column("phone", "Phone", "Phone number.", "555-0100", aliases=("cell", "mobile", "telephone")),
            Column("pager", "Pager", "Pager number.", "", aliases=("beeper",)),
        ),
        aliases=("residents", "faculty", "roster", "staff", "persons"),
    ),
    SheetKind(
        "rotations",
        "Rotations",
        "Rotation templates; a row with the abbreviation (or name) of an existing rotation updates it.",
        (
            Column("name", "Name", "Rotation name.", "Inpatient medicine", required=True, aliases=("rotation",)),
            Column(
                "abbreviation",
                "Abbreviation",
                "Short code, up to 8 characters.",
                "IM",
                required=True,
                aliases=("abbr", "code", "short name"),
            ),
            Column(
                "kind",
                "Kind",
                "Inpatient, Outpatient clinic, Procedure, Night float, Elective, Conference, FMIT or Off.",
                "Inpatient",
                aliases=("type", "category"),
            ),
            Column("min_pgy", "Min PGY", "Lowest PGY (default 1).", "1", aliases=("minimum pgy", "from pgy")),
            Column("max_pgy", "Max PGY", "Highest PGY (default 8).", "3", aliases=("maximum pgy", "to pgy")),
            Column("colour", "Colour", "Hex colour such as #1f77b4.", "#1f77b4", aliases=("color",)),
        ),
        aliases=("rotation templates", "services"),
    ),
    SheetKind(
        "certifications",
        "Certifications",
        "Certifications (BLS, ACLS...) of the program's people; the type must exist in the program.",
        (
            PERSON,
            Column(
                "type",
                "Type",
                "Certification type code.",
                "ACLS",
                required=True,
                aliases=("certification", "cert", "code"),
            ),
            Column("number", "Number", "Card number (optional).", "A-1234", aliases=("card", "card number")),
            Column(
                "issued_on",
                "Issued on",
                "Date issued.",
                "2026-03-01",
                required=True,
                aliases=("issued", "issue date", "date issued"),
            ),
            Column(
                "expires_on",
                "Expires on",
                "Expiry (blank: the type's renewal period).",
                "2028-03-01",
                aliases=("expires", "expiry", "expiration", "expiry date"),
            ),
        ),
        aliases=("certs", "credentials", "bls acls"),
    ),
    SheetKind(
        "absences",
        "Absences",
        "Absences, imported as approved by you.",
        (
            PERSON,
            Column(
                "kind",
                "Kind",
                "Vacation, Sick, Medical, Conference, Parental...",
                "Vacation",
                required=True,
                aliases=("type", "reason", "leave type"),
            ),
            Column(
                "start_date",
                "Start",
                "First day.",
                "2026-08-03",
                required=True,
                aliases=("start date", "from", "first day", "dates start"),
            ),
            Column(
                "end_date",
                "End",
                "Last day (inclusive).",
                "2026-08-07",
                required=True,
                aliases=("end date", "to", "last day", "dates end", "until"),
            ),
            Column("half_day", "Half day", "AM or PM for a half-day absence.", "", aliases=("am pm",)),
            Column(
                "orders_reference", "Orders", "Military orders (deployment, TDY).", "", aliases=("orders reference",)
            ),
        ),
        aliases=("leave", "vacation", "time off", "absence"),
    ),
    SheetKind(
        "blocks",
        "Block schedule",
        "Residents' rotation for each block of the academic year.",
        (
            PERSON,
            Column(
                "block",
                "Block",
                "Block number (1-13), or “Block 3”.",
                "1",
                required=True,
                aliases=("block number", "blk"),
            ),
            Column(
                "rotation",
                "Rotation",
                "Rotation abbreviation or name.",
                "IM",
                required=True,
                aliases=("service", "assignment"),
            ),
            Column(
                "half",
                "Half",
                "Blank for the whole block, 1 or 2 for a 14-day half.",
                "",
                aliases=("half block", "part"),
            ),
        ),
        aliases=("block schedule", "rotations by block", "block assignments", "master schedule"),
        assignments=True,
    ),
    SheetKind(
        "sessions",
        "Half-day sessions",
        "What a person does in one AM or PM session (clinic grid).",
        (
            PERSON,
            Column("date", "Date", "The day.", "2026-07-06", required=True, aliases=("day",)),
            Column("session", "Session", "AM or PM.", "AM", required=True, aliases=("half day", "am pm", "time")),
            Column(
                "activity",
                "Activity",
                "Clinic, Inpatient, Procedure, Conference, Supervising, Off...",
                "Clinic",
                required=True,
                aliases=("what", "assignment"),
            ),
            Column("rotation", "Rotation", "Rotation abbreviation or name (optional).", "", aliases=("service",)),
        ),
        aliases=("clinic", "clinic grid", "half days", "sessions"),
        assignments=True,
    ),
    SheetKind(
        "calls",
        "Call",
        "Residents' in-house call and faculty attending call, one row per night.",
        (
            PERSON,
            Column(
                "date",
                "Date",
                "The night the call starts.",
                "2026-07-10",
                required=True,
                aliases=("night", "call date", "day"),
            ),
            Column(
                "kind",
                "Kind",
                "In-house, Home, Backup, Weekend, Attending (default: in-house for residents, attending for faculty).",
                "",
                aliases=("call type", "type"),
            ),
            Column("start", "Start time", "Start (default: the program's call start).", "", aliases=("from", "begins")),
            Column(
                "end", "End time", "End next morning (default: the program's call end).", "", aliases=("to", "ends")
            ),
        ),
        aliases=("call", "call schedule", "on call", "call list", "night call"),
        assignments=True,
    ),
    SheetKind(
        "fmit",
        "FMIT weeks",
        "Faculty inpatient teaching (FMIT) weeks: the first day of each week a faculty member attends.",
        (
            PERSON,
            Column(
                "week_start",
                "Week start",
                "First day of the FMIT week (the program's FMIT start weekday).",
                "2026-07-03",
                required=True,
                aliases=("week", "start", "from", "week of"),
            ),
        ),
        aliases=("fmit", "fmit schedule", "inpatient teaching"),
        assignments=True,
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}
ORDER = {kind.key: index for index, kind in enumerate(KINDS)}


def _alike(header: str, heading: str) -> float:
    """How alike a folded heading is to a column's name, also read without a group heading in front of it
    ("dates from" is "from" under "Dates"), which counts a little less."""
    words = header.split(" ")
    tails = (" ".join(words[i:]) for i in range(1, len(words)))
    return max([similarity(header, heading), *(0.95 * similarity(tail, heading) for tail in tails)])


def _suggest(kind: SheetKind, headers: list[str], remembered: dict[str, str]) -> dict[int, tuple[str, float]]:
    chosen: dict[int, tuple[str, float]] = {}
    used: set[str] = set()
    keys = {column.key for column in kind.columns}
    for index, header in enumerate(headers):
        field = remembered.get(fold(header))
        if field in keys and field not in used:
            chosen[index], used = (field, 1.0), used | {field}
    scores = []
    for index, header in enumerate(headers):
        folded = fold(header)
        if index in chosen or not folded:
            continue
        for column in kind.columns:
            best = max(_alike(folded, heading) for heading in column.headings())
            if best >= SUGGEST_AT:
                scores.append((best, -index, index, column.key))
    for score, _order, index, key in sorted(scores, reverse=True):
        if index not in chosen and key not in used:
            chosen[index], used = (key, score), used | {key}
    return chosen


def suggest_columns(kind: SheetKind, headers: list[str], remembered: dict[str, str]) -> dict[int, str]:
    """The field suggested for each column (by index): the program's remembered choice for that heading, else
    the column whose name or known headings it is most alike (each field once, the best match first)."""
    return {index: key for index, (key, _score) in _suggest(kind, headers, remembered).items()}


def suggest_kind(sheet_name: str, headers: list[str]) -> str:
    """The kind whose columns the headings match best (all its required ones matched; its name as a
    tie-break); '' when none fits."""
    best_key, best_score = "", 0.0
    for kind in KINDS:
        suggested = _suggest(kind, headers, {})
        mapped = {key for key, _score in suggested.values()}
        if not set(kind.required) <= mapped:
            continue
        if kind.key == "people" and not ({"first_name", "last_name"} <= mapped or "name" in mapped):
            continue
        name = max(similarity(fold(sheet_name), fold(text)) for text in (kind.key, kind.label, *kind.aliases))
        score = sum(score for _key, score in suggested.values()) / max(len(headers), 1) + name
        if score > best_score:
            best_key, best_score = kind.key, score
    return best_key
