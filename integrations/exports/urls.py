"""The download URLs: same paths and names as when they lived in scheduling/urls.py."""

from django.urls import path

from integrations.exports import views as exports

urlpatterns = [
    # Downloads (permission-checked, scoped to the active program)
    path("exports/grid.xlsx", exports.export_grid_xlsx, name="export-grid-xlsx"),
    path("exports/range.xlsx", exports.export_range_xlsx, name="export-range-xlsx"),  # ?start=&end=
    path("exports/grid.pdf", exports.export_grid_pdf, name="export-grid-pdf"),
    path("exports/people/<int:pk>.pdf", exports.export_person_pdf, name="export-person-pdf"),
    path("exports/assignments.csv", exports.export_assignments_csv, name="export-assignments-csv"),
]
