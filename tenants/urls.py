from django.urls import path

from tenants import views

urlpatterns = [
    path("", views.home, name="home"),
    path("programs/switch/", views.program_switch, name="program-switch"),
]
