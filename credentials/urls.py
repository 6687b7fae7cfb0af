from django.urls import path

from credentials import views

urlpatterns = [
    path("", views.credentials_matrix, name="credentials-matrix"),
    path("me/", views.credentials_me, name="credentials-me"),
    path("people/<int:pk>/", views.person_credentials, name="credentials-person"),
]
