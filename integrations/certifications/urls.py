from django.urls import path

from integrations.certifications import views

urlpatterns = [
    path("import/", views.certifications_import, name="credentials-import"),
]
