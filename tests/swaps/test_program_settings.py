"""The swaps settings refuse what cannot be a whole number of days or hours, naming the setting."""

import pytest

from scheduling.program_settings import SettingsError
from swaps.program_settings import swap_settings_from_json


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1.5, True, "2", -1, 61])
def test_a_lock_window_that_is_not_a_whole_number_of_days_is_refused(bad):
    with pytest.raises(SettingsError) as refused:
        swap_settings_from_json({"lock_days": bad})

    assert refused.value.path == "swaps.lock_days"
    assert "whole number from 0 to 60" in str(refused.value)


def test_whole_numbers_written_as_floats_are_taken():
    assert swap_settings_from_json({"lock_days": 3.0, "rollback_hours": 12}).lock_days == 3
