from django.urls import path

from tenants import audit_views, views

urlpatterns = [
    path("programs/switch/", views.program_switch, name="program-switch"),
    path("account/tokens/", views.token_list, name="token-list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("audit/", audit_views.audit_list, name="audit-list"),
    path("audit/events.csv", audit_views.audit_csv, name="audit-csv"),
]
