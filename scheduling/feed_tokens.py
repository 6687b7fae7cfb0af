"""Secret calendar-feed tokens (per person and per program): create, look up, regenerate. (Being written.)"""

from typing import Any


def feed_link_context(*, user, person) -> dict[str, Any]:
    """What the person page needs to show `person`'s feed link to `user`: {} when `user` may not see it.

    Keys: "feed_url" (https URL), "webcal_url", "can_reset" (bool), "reset_url" (POST target).
    """
    return {}
