from django.urls import path

from scheduling import views

urlpatterns = [
    path("", views.home, name="home"),
]
