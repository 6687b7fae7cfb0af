from django.db import models


class OrganizationQuerySet(models.QuerySet):
    def programs(self) -> "OrganizationQuerySet":
        return self.filter(kind="program", is_active=True)


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user) -> "MembershipQuerySet":
        return self.filter(user=user)


class ProgramScopedQuerySet(models.QuerySet):
    """Base queryset of every program-owned model: rows carry their program."""

    def for_program(self, program) -> "ProgramScopedQuerySet":
        return self.filter(program=program)

    def for_programs(self, program_ids) -> "ProgramScopedQuerySet":
        return self.filter(program_id__in=program_ids)
