"""Values kept for the rest of one request: a dict per thread from request_started to request_finished.

Outside a request (a Celery task, a shell) there is no memo (`data` is None), so nothing read there outlives the
read. Used where one page reads the same thing several times (a program's schedule stamp, the user's programs).
"""

import threading

from django.core.signals import request_finished, request_started


class RequestMemo:
    def __init__(self, name: str) -> None:
        self.name = name
        self._local = threading.local()

    def connect(self) -> None:
        """Start and end the memo with each request (called once, from an AppConfig.ready)."""
        request_started.connect(self.start, dispatch_uid=f"{self.name}-request-started")
        request_finished.connect(self.finish, dispatch_uid=f"{self.name}-request-finished")

    def start(self, **kwargs) -> None:
        self._local.data = {}

    def finish(self, **kwargs) -> None:
        self._local.data = None

    @property
    def data(self) -> dict | None:
        """This request's dict, or None outside a request."""
        return getattr(self._local, "data", None)

    def forget(self) -> None:
        """Empty this request's dict (a change made during the request)."""
        if self.data:
            self._local.data = {}
