"""The download URLs: same paths and names as when they lived in scheduling/urls.py."""

from django.urls import path

from integrations.exports import template_views as templates
from integrations.exports import views as exports

urlpatterns = [
    # Downloads (permission-checked, scoped to the active program)
    path("exports/grid.xlsx", exports.export_grid_xlsx, name="export-grid-xlsx"),
    path("exports/range.xlsx", exports.export_range_xlsx, name="export-range-xlsx"),  # ?start=&end=
    path("exports/grid.pdf", exports.export_grid_pdf, name="export-grid-pdf"),
    path("exports/people/<int:pk>.pdf", exports.export_person_pdf, name="export-person-pdf"),
    path("exports/assignments.csv", exports.export_assignments_csv, name="export-assignments-csv"),
    # Saved export templates (admins and coordinators)
    path("exports/templates/", templates.export_template_list, name="export-template-list"),
    path("exports/templates/new/", templates.export_template_create, name="export-template-create"),
    path("exports/templates/<int:pk>/", templates.export_template_edit, name="export-template-edit"),
    path("exports/templates/<int:pk>/run/", templates.export_template_run, name="export-template-run"),
    path("exports/templates/<int:pk>/delete/", templates.export_template_delete, name="export-template-delete"),
]
