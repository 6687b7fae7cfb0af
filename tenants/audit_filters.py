"""The audit log's filters, shared by the page, its CSV download and the API: who, what, when, which row, text."""

from django.db.models import Q, QuerySet

from tenants import filters as bounded
from tenants.audit_models import AuditAction, AuditEvent


class AuditEventFilter(bounded.FilterSet):
    actor = bounded.CharFilter(
        field_name="actor_email", lookup_expr="icontains", label="Who", help_text="Part of the actor's email."
    )
    action = bounded.ChoiceFilter(choices=AuditAction.choices, label="Action")
    since = bounded.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label="From")
    until = bounded.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To")
    target_type = bounded.CharFilter(label="Row type", help_text="app_label.model, e.g. tenants.membership.")
    target_id = bounded.CharFilter(label="Row id")
    q = bounded.CharFilter(
        method="search", label="Text", help_text="Part of the actor's email, the row, the detail, the path or address."
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "since", "until", "target_type", "target_id", "q"]

    def search(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        text = value.strip()
        if not text:
            return queryset
        matches = Q(actor_email__icontains=text) | Q(target_repr__icontains=text) | Q(detail__icontains=text)
        matches |= Q(path__icontains=text) | Q(action__icontains=text) | Q(request_id=text)
        matches |= Q(ip_address__startswith=text)
        return queryset.filter(matches)
