"""A stamp of the running code: the cache's key prefix, so nothing cached outlives the code that made it.

Cached pages hold HTML drawn by the templates and objects pickled from the code's classes; after a deploy that
changes either, entries made by the old code must not be read. Hashing the project's own Python and template files
(not migrations, tests or static files) takes a few milliseconds at start-up; processes running the same code (web
and Celery workers) share the stamp.
"""

import hashlib
from pathlib import Path

SKIPPED = {"bench", "docs", "node_modules", "static", "tests", "var"}


def code_stamp(base: Path) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for top in sorted(base.iterdir()):
        if not top.is_dir() or top.name.startswith(".") or top.name in SKIPPED or top.name.endswith(".egg-info"):
            continue
        for path in sorted(top.rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
