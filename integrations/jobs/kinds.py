"""The kinds of background job: each names its runner by dotted path (imported when a job runs, so the apps that
start jobs and the runners they name import each other freely) and the role a user needs to start one, see it
through and download its file.

A runner is `run(*, job: FileJob, ctx: JobContext) -> JobResult`: it reads `job.params`, reports progress with
`ctx.progress(done, total)` (which also raises JobCancelled once a cancel is asked), writes its file through
`ctx.output(filename, content_type)` and returns the page to link to, if any. Add a kind here to run more work.
"""

from dataclasses import dataclass

from tenants.permissions import Action, Resource


@dataclass(frozen=True)
class JobKind:
    label: str
    runner: str
    action: str
    resource: str


KINDS: dict[str, JobKind] = {
    "export_assignments_csv": JobKind(
        "Assignments CSV", "integrations.exports.jobs.assignments_csv", Action.VIEW, Resource.SCHEDULE
    ),
    "export_range_xlsx": JobKind(
        "Half-day range xlsx", "integrations.exports.jobs.range_xlsx", Action.VIEW, Resource.SCHEDULE
    ),
    "import_check": JobKind("Import check", "integrations.imports.jobs.check", Action.ADD, Resource.SCHEDULE),
    "import_commit": JobKind("Import", "integrations.imports.jobs.commit", Action.ADD, Resource.SCHEDULE),
}


@dataclass(frozen=True)
class JobResult:
    """What a runner hands back: the page holding its result (besides its file) and a line saying what it did."""

    link: str = ""
    message: str = ""
