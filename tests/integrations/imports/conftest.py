from tests.integrations.imports.workbook import year  # noqa: F401
