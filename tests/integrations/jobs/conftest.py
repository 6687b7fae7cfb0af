import pytest

from tests.integrations.imports.workbook import year  # noqa: F401


@pytest.fixture(autouse=True)
def job_files_root(settings, tmp_path):
    """Each test's job files in a directory of its own."""
    settings.JOB_FILES_ROOT = tmp_path / "jobs"
    return settings.JOB_FILES_ROOT


def files_in(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []
