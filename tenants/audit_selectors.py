"""Which audit events a person may read: a program's admins read their program's, superusers the platform's too."""

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from tenants.audit_models import AuditEvent
from tenants.models import Organization
from tenants.selectors import program_members

# Events of a person rather than a program (no program on the row): a program's admins see their members' ones.
PERSONAL_PREFIXES = ("auth.", "mfa.", "sso.", "token.")


def audit_events_visible(*, user, program: Organization) -> QuerySet[AuditEvent]:
    """The program's events, newest first, and the sign-ins, second factors and tokens of the program's members
    (directly or through its institution) including failed sign-ins at their accounts; for superusers every event
    that belongs to no program as well. Nobody reads another program's events."""
    personal = Q()
    for prefix in PERSONAL_PREFIXES:
        personal |= Q(action__startswith=prefix)
    if user.is_superuser:
        platform = Q(program__isnull=True)
    else:
        members = program_members(program).values("pk")
        member_ids = program_members(program).annotate(text_id=Cast("pk", CharField())).values("text_id")
        at_member = Q(actor__in=members) | Q(target_type="tenants.user", target_id__in=member_ids)
        platform = Q(program__isnull=True) & personal & at_member
    return AuditEvent.objects.filter(Q(program=program) | platform).select_related("program")
