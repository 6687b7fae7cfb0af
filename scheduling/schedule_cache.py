"""Rendered schedule output cached until anything it is drawn from changes (calendar feeds first).

What a feed or a page of the published schedule shows depends on far more than the version: approved absences
(leave wins), holidays, people's names, rotations, program settings, in-place edits and swaps of the published
version. So a cached body is keyed by the program's *generation*, a random stamp that changes after every
commit that saves or deletes a row of the scheduling, absences, credentials or swaps apps (swaps move
assignments; the dashboard lists expiring certifications) or a program's own row, for that program (or for every
program, for a row without one). Who may still read a feed
(users, memberships, tokens) is checked on every request, outside the cache. Readers fetch one stamp per
request and build only on a miss. `today` is in the keys as well: which academic year is current moves with it.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from tenants.request_memo import RequestMemo

logger = logging.getLogger(__name__)

GENERATION_KEY = "schedule-generation:{}"
ALL_PROGRAMS = "all"
TIMEOUT = 24 * 3600  # a day: feeds polled every 15 minutes stay warm, unused entries go
WATCHED_APPS = ("absences", "credentials", "scheduling", "swaps")
WATCHED_MODELS = ("tenants.Organization",)
# Rows that change often (a run's progress) and never show in a feed or a schedule page.
IGNORED_MODELS = {"scheduling.schedulerun"}


def _generation_of(scope: str) -> str:
    key = GENERATION_KEY.format(scope)
    stamp = cache.get(key)
    if stamp is None:
        stamp = uuid.uuid4().hex
        if not cache.add(key, stamp, None):  # another process set it first
            stamp = cache.get(key) or stamp
    return stamp


# Within one request a program's stamp is read once: a page draws several cached parts. Any change made meanwhile
# empties the memo.
stamps_memo = RequestMemo("schedule-cache")


def generation(program_id: int) -> str:
    """The stamp of what the program's schedule output is drawn from (changes after each relevant commit)."""
    memo = stamps_memo.data
    if memo is not None and program_id in memo:
        return memo[program_id]
    stamps = cache.get_many([GENERATION_KEY.format(ALL_PROGRAMS), GENERATION_KEY.format(program_id)])
    if len(stamps) == 2:
        stamp = f"{stamps[GENERATION_KEY.format(ALL_PROGRAMS)]}.{stamps[GENERATION_KEY.format(program_id)]}"
    else:
        stamp = f"{_generation_of(ALL_PROGRAMS)}.{_generation_of(str(program_id))}"
    if memo is not None:
        memo[program_id] = stamp
    return stamp


def _bump(scope: str) -> None:
    stamps_memo.forget()  # this request's later reads see the change
    try:
        cache.set(GENERATION_KEY.format(scope), uuid.uuid4().hex, None)
    except Exception:  # a cache that is down must not stop a save; what it holds is then stale, so say it loudly
        logger.exception("Could not renew the schedule cache stamp of %s: cached feeds may be stale", scope)


def _program_of(instance) -> str:
    program_id = getattr(instance, "program_id", None)
    if program_id is None and instance._meta.label_lower == "tenants.organization":
        program_id = instance.pk
    return str(program_id) if program_id is not None else ALL_PROGRAMS


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    scope = _program_of(instance)
    _bump(scope)  # now, for this transaction's own later reads ...
    transaction.on_commit(lambda: _bump(scope))  # ... and again once others can see the change


def connect() -> None:
    """Watch every model of the apps whose rows schedule output is drawn from (called from SchedulingConfig)."""
    stamps_memo.connect()
    models = [model for label in WATCHED_APPS for model in apps.get_app_config(label).get_models()]
    models += [apps.get_model(label) for label in WATCHED_MODELS]
    for model in models:
        name = model._meta.label_lower
        if name in IGNORED_MODELS or model.__name__.startswith("Historical"):  # history rows follow their row
            continue
        post_save.connect(_changed, sender=model, dispatch_uid=f"schedule-cache-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"schedule-cache-delete-{name}")


def cached(program_id: int, parts: tuple, build: Callable[[], Any]) -> Any:
    """`build()`, or what it returned last time for these `parts` in this generation of the program."""
    try:
        key = "schedule-cache:" + ":".join(str(part) for part in (program_id, generation(program_id), *parts))
        found = cache.get(key)
    except Exception:  # the cache is down: answer anyway, built
        logger.warning("Schedule cache unreachable; building without it", exc_info=True)
        return build()
    if found is None:
        found = build()
        try:
            cache.set(key, found, TIMEOUT)
        except Exception:
            logger.warning("Schedule cache unreachable; not kept", exc_info=True)
    return found
