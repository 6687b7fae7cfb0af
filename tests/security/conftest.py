"""The page fuzzer's counts at the end of the run, so CI shows how much it tried and what it found."""

from tests.security.walk import FUZZ_COUNTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if FUZZ_COUNTS["requests"]:
        terminalreporter.write_sep("-", "page fuzzer")
        terminalreporter.write_line(
            f"URLs: {FUZZ_COUNTS['urls']}, requests: {FUZZ_COUNTS['requests']}, 5xx: {FUZZ_COUNTS['server_errors']}"
        )
