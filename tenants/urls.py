from django.urls import path

from tenants import views

urlpatterns = [
    path("programs/switch/", views.program_switch, name="program-switch"),
    path("account/tokens/", views.token_list, name="token-list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
