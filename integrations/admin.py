"""Admin of the program's edge: the certifications' import and export (integrations/certifications/admin.py; the
feeds app registers its own)."""

from integrations.certifications import admin as certifications_admin  # noqa: F401  (registers on import)
