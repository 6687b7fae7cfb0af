"""Matching the people a file names to the program's people, by email or name, with accents, case, spaces and
"Last, First" order left out. A name that only looks like someone is never taken silently: the wizard asks,
and the answer (a person of this program, or nobody) is kept on the import."""

from collections.abc import Iterable
from dataclasses import dataclass

from integrations.imports.text import clean, fold, similarity

ASK_AT = 0.75  # a name at least this alike someone is a question; below, it is unknown
NOBODY = "none"


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone a name may mean: `key` "p:<id>" (in the program) or "f:<folded name>" (from the file's People)."""

    key: str
    label: str
    name: str  # folded "first last"
    email: str  # folded, may be empty


@dataclass(frozen=True, slots=True)
class Match:
    """What a name in the file comes to: `person` (a candidate key) when sure, else `choices` to ask about, or
    neither (unknown). `message` says why not, for the report."""

    text: str
    person: str | None = None
    choices: tuple[Candidate, ...] = ()
    message: str = ""

    @property
    def needs_answer(self) -> bool:
        return self.person is None and bool(self.choices)


def name_key(text: str) -> str:
    """A person's name as folded "first last" ("Lopez, Ana" and "ana  lopez " both give "ana lopez")."""
    text = clean(text)
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        text = f"{first} {last}"
    return fold(text)


def reference_key(text: object) -> str:
    """How an answer is remembered: the folded name or email as written."""
    text = clean(text)
    return fold(text) if "@" in text else name_key(text)


class Matcher:
    """Resolves names and emails against `candidates`, with the wizard's `answers` (reference key -> key)."""

    def __init__(self, candidates: Iterable[Candidate], answers: dict[str, str] | None = None) -> None:
        self.candidates = {c.key: c for c in candidates}
        self.answers = answers or {}
        self._by_name: dict[str, list[Candidate]] = {}
        self._by_email: dict[str, list[Candidate]] = {}
        for candidate in self.candidates.values():
            self._by_name.setdefault(candidate.name, []).append(candidate)
            if candidate.email:
                self._by_email.setdefault(candidate.email, []).append(candidate)

    def match(self, value: object) -> Match:
        text = clean(value)
        if not text:
            return Match(text, message="The person is missing: give a name or an email address.")
        key = reference_key(text)
        answer = self.answers.get(key)
        if answer == NOBODY:
            return Match(text, message=f"“{text}” is nobody of this program (your answer on the People step).")
        if answer is not None:
            if answer in self.candidates:
                return Match(text, person=answer)
            return Match(text, message=f"The answer given for “{text}” is not a person of this program.")
        exact = self._by_email.get(key, []) if "@" in text else self._by_name.get(key, [])
        if len(exact) == 1:
            return Match(text, person=exact[0].key)
        if len(exact) > 1:
            return Match(text, choices=tuple(exact), message=f"Several people are called “{text}”: choose who.")
        if "@" in text:
            return Match(text, message=f"No person with the email address “{text}” in this program or the file.")
        scored = sorted(
            ((max(similarity(key, c.name), similarity(key, _swapped(c.name))), c) for c in self.candidates.values()),
            key=lambda pair: (-pair[0], pair[1].label),
        )
        close = tuple(candidate for score, candidate in scored[:3] if score >= ASK_AT)
        if close:
            names = " or ".join(f"“{c.label}”" for c in close)
            return Match(
                text, choices=close, message=f"“{text}” is not sure: did you mean {names}? Answer on the People step."
            )
        return Match(text, message=f"No person “{text}” in this program or the file's People sheet.")


def _swapped(name: str) -> str:
    """ "ana lopez" -> "lopez ana", for names written last name first without a comma."""
    first, _, rest = name.partition(" ")
    return f"{rest} {first}" if rest else name
