from django.urls import path

from integrations.imports import views

urlpatterns = [
    path("", views.import_home, name="import-home"),
    path("template.xlsx", views.import_template, name="import-template"),  # ?kind=<sheet kind>|all
    path("<int:pk>/", views.import_sheets, name="import-sheets"),
    path("<int:pk>/columns/", views.import_columns, name="import-columns"),
    path("<int:pk>/people/", views.import_people, name="import-people"),
    path("<int:pk>/check/", views.import_check, name="import-check"),
    path("<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("<int:pk>/report.xlsx", views.import_report, name="import-report"),
]
