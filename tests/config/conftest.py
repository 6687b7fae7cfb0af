"""Counts the API fuzzing (test_schemathesis.py) prints at the end of every run, so CI's output shows them."""

FUZZ_COUNTS: dict[str, dict[str, int]] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    for role, counts in sorted(FUZZ_COUNTS.items()):
        figures = ", ".join(f"{value} {name}" for name, value in counts.items())
        terminalreporter.write_line(f"schemathesis as {role}: {figures}")
