"""What /healthz reports beyond the database, registered by the apps that know it.

``clinic`` sits below every other app and imports none of them; the notifications app, which
owns the task worker's heartbeat, registers how to read it in its AppConfig.ready().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

WorkerLastSeen = Callable[[], "dt.datetime | None"]

_worker_last_seen: list[WorkerLastSeen] = []


def register_worker_heartbeat(read: WorkerLastSeen) -> None:
    _worker_last_seen[:] = [read]


def worker_last_seen() -> dt.datetime | None:
    """When the task worker was last seen; None when never (or when no app keeps a heartbeat)."""
    return _worker_last_seen[0]() if _worker_last_seen else None
