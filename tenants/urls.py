from django.urls import path

from tenants import views

urlpatterns = [
    path("programs/switch/", views.program_switch, name="program-switch"),
]
