"""Health endpoints for load balancers (django-health-check): `/healthz` says the process answers, `/readyz` that
it can serve: the database answers, the cache stores and reads, every migration is applied and, when Celery runs
on Redis (REDIS_URL), the broker answers. Each answers 200 when all is well, else 500 naming what failed (HTML,
text or JSON by the Accept header or `?format=json`), never cached, without login.
"""

import dataclasses

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied to the database (a deploy that skipped `migrate` is not ready)."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        executor = MigrationExecutor(connections[self.alias])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) not applied")


def readiness_checks() -> list:
    """The checks of /readyz for this configuration."""
    checks: list = ["health_check.checks.Database", "health_check.checks.Cache", Migrations]
    if settings.REDIS_URL:
        url = settings.CELERY_BROKER_URL
        checks.append((Redis, {"client_factory": lambda: RedisClient.from_url(url)}))
    return checks


def alive():
    """/healthz: the process answers (no dependency is asked)."""
    return HealthCheckView.as_view(checks=())


def ready():
    """/readyz: the process can serve."""
    return HealthCheckView.as_view(checks=readiness_checks())
