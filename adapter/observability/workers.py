"""The metrics directory shared by `--workers N` (prometheus_client's multi-process mode).

Used by the CLI's parent process, which must create no metric of its own: this module
imports no metric definitions (`adapter.observability.metrics` does), so the parent never
writes a values file there and never has its own files removed by the start-up cleanup.
"""

from __future__ import annotations

import os
import shutil
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir() -> str | None:
    """Before the workers start: a fresh directory for their values, exported as
    `PROMETHEUS_MULTIPROC_DIR`. One given in the environment is emptied of values (an
    earlier run's would be added in); otherwise a temporary one is made, which the caller
    removes on exit (returned; None when the directory was given)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.remove(os.path.join(given, name))
        return None
    path = tempfile.mkdtemp(prefix="gemini-adapter-metrics-")
    os.environ[MULTIPROC_ENV] = path
    return path


def remove_multiprocess_dir(path: str | None) -> None:
    if path:
        shutil.rmtree(path, ignore_errors=True)


def mark_process_dead(pid: int) -> None:
    """Drop a worker's live gauges (open streams) once it is gone; its counters stay in the
    sums, as a replaced worker's requests did happen."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
