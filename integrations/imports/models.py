"""An import in progress (the wizard's state between steps) and the column mappings a program has used."""

from django.conf import settings
from django.db import models

from tenants.models import ProgramOwnedModel


class ImportSession(ProgramOwnedModel):
    """One upload going through the wizard: the file, the sheets chosen, the column mapping, the answers about
    people, and the last report. Kept in the database so a refresh or a second tab loses nothing."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        CHECKED = "checked", "Checked (dry run)"
        COMMITTED = "committed", "Imported"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel workbook (.xlsx)"
        XLS = "xls", "Old Excel workbook (.xls)"
        CSV = "csv", "CSV text"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField(help_text="The uploaded file, as it was sent.")
    academic_year = models.ForeignKey(
        "scheduling.AcademicYear", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    # [{"name", "header_row", "rows", "headers": [{"index", "letter", "text"}]}] as read from the file
    sheets = models.JSONField(default=list, blank=True)
    kinds = models.JSONField(default=dict, blank=True, help_text="Sheet name -> sheet kind ('' = left out).")
    mapping = models.JSONField(default=dict, blank=True, help_text="Sheet name -> {column index: field}.")
    answers = models.JSONField(default=dict, blank=True, help_text="Name as written -> person key or 'none'.")
    report = models.JSONField(default=dict, blank=True, help_text="The last dry run's or commit's report.")
    version = models.ForeignKey(
        "scheduling.ScheduleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    permission_resource = "schedule"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self) -> str:
        return f"Import of {self.filename} ({self.get_status_display()})"


class ImportMapping(ProgramOwnedModel):
    """A column heading a program has mapped to a field of a sheet kind, suggested again on its next upload."""

    kind = models.CharField(max_length=20)
    header = models.CharField(max_length=200, help_text="The heading, folded (no accents, case or extra spaces).")
    field = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "kind", "header"], name="importmapping_one_per_header")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.header} -> {self.field}"
