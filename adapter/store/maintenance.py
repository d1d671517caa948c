"""The store's housekeeping, run by every process (every replica): lapsed leases and expiry.

Every `lapse_every_s` it marks `failed` each background response whose runner stopped
renewing its lease (a crash, a restart, a lost replica): with a 3 s lease and a 1 s period,
such a response is failed within 4 s. Every `sweep_every_s` it deletes expired objects
(reads already hide them). Several processes doing this at once is harmless: each statement
is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import time

from adapter.store.base import Store

log = logging.getLogger("adapter.store")


async def maintain(store: Store, lapse_every_s: float = 1.0, sweep_every_s: float = 600.0) -> None:
    """Runs until cancelled; a database error is logged and retried on the next tick."""
    next_sweep = time.monotonic()
    while True:
        try:
            failed = await store.fail_lapsed()
            if failed:
                log.warning("marked %d background response(s) failed: lease lapsed", failed)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + sweep_every_s
                swept = await store.sweep()
                if swept:
                    log.info("swept %d expired stored object(s)", swept)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: try again next tick
            log.warning("store maintenance failed: %s", type(exc).__name__)
        await asyncio.sleep(lapse_every_s)
