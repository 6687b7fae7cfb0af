"""How the import compares words people typed: accents, case, punctuation and extra spaces do not count."""

import difflib
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w@.\s-]")


def clean(value: object) -> str:
    """A cell as text: None is empty, whitespace (also non-breaking) collapsed and trimmed, composed accents."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).replace("\u00a0", " ")).strip()


def fold(value: object) -> str:
    """`clean`, then without accents, case and punctuation: "  José  GARCÍA-Núñez " -> "jose garcia-nunez"."""
    text = unicodedata.normalize("NFKD", clean(value))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = _PUNCTUATION.sub(" ", text.replace("_", " "))
    return _SPACES.sub(" ", text).strip()


def similarity(a: str, b: str) -> float:
    """How alike two folded texts are, 0 to 1 (difflib's ratio)."""
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()
