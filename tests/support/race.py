"""Jobs in threads released at the same moment: writers racing on one store, each with its own ledger (its own
connections, as processes of their own would have)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def race(workers: int, job: Callable[[int], None]) -> list[BaseException]:
    """Run ``job(worker)`` in threads released at the same moment; the errors they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def run(worker: int) -> None:
        try:
            barrier.wait(timeout=60)
            job(worker)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors
