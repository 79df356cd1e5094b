"""Who records the consumer's batches: the consumer itself, or a writer process beside it.

kafka-python spends most of a consumer's time in pure-Python work (CRC checks, record
decoding) under the GIL, and validating, encoding and writing a batch costs about as much again.
In one process the two take turns; with a ``WriterProcess`` the consumer fetches the next batch
while the writer records this one, on the second core. Exactly-once does not change: the writer
records each batch with its tracking position in one transaction, as ``InlineWriter`` does, and
the consumer drains every batch it handed over (``flush``) before it gives up a partition or
reads where one stands in the store.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from multiprocessing.connection import Connection
from typing import Any, NoReturn, Protocol

from consumers.dead_letter import KafkaDeadLetters
from consumers.ingest_summary import IngestSummary, known_position
from consumers.kafka_batch import KafkaBatch, record_batch
from consumers.recording import DeadLetterError, FeedbackRecorder
from domain.service.ledger import Ledger
from domain.service.receipts import KAFKA

MAX_IN_FLIGHT = 2
"""Batches handed to the writer and not yet recorded: enough to keep both processes busy."""
STOP_TIMEOUT_S = 60.0
ABANDON_TIMEOUT_S = 5.0
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class WriterError(RuntimeError):
    """The writer process failed or died: nothing past its last recorded batch was tracked."""


class BatchWriter(Protocol):
    summary: IngestSummary

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        """The last recorded position of a source; ``refresh`` re-reads the store (after a ``flush``)."""

    def record(self, batch: KafkaBatch) -> None:
        """Record a batch exactly once; may return before it is recorded (see ``flush``)."""

    def collect(self) -> None:
        """Take in the outcomes of batches recorded meanwhile, without waiting."""

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every batch handed over is recorded (or raise why one could not be);
        False if ``timeout`` seconds passed first."""

    def close(self) -> None: ...


class InlineWriter:
    """Records each batch before ``record`` returns: one process, one core."""

    def __init__(self, ledger: Ledger, summary: IngestSummary, bootstrap: str, topic: str) -> None:
        self.summary = summary
        self.recorder = FeedbackRecorder(ledger, summary, KAFKA)
        self.dead_letters = KafkaDeadLetters(bootstrap, topic)

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        return self.recorder.position(name, refresh=refresh)

    def record(self, batch: KafkaBatch) -> None:
        record_batch(self.recorder, self.dead_letters, batch)

    def collect(self) -> None:
        pass

    def flush(self, timeout: float | None = None) -> bool:
        return True

    def close(self) -> None:
        self.dead_letters.close()


class WriterProcess:
    """Hands batches to a spawned writer process over a pipe and keeps the run's tally from its replies.

    The writer answers its start and every batch, in order, with its tally; a failure comes
    back as a reply too, and a writer that dies shows as a closed pipe. A failure is raised
    again by every later call, so the poll loop sees it even when it first surfaced inside a
    rebalance callback. The writer ignores SIGINT and SIGTERM from its first instruction on (a
    terminal's Ctrl-C reaches the whole process group): the consumer decides when it stops, and
    a writer whose consumer is gone finds its pipe closed and exits.
    """

    def __init__(self, ledger: Ledger, summary: IngestSummary, bootstrap: str, topic: str,
                 max_in_flight: int = MAX_IN_FLIGHT) -> None:
        if ledger.store_url is None:
            raise ValueError("a writer process needs a ledger opened from a store URL")
        self.ledger = ledger
        self.summary = summary
        self.max_in_flight = max_in_flight
        self.in_flight = 1  # the start reply
        self.sent = 0  # batches sent: a writer sent none holds nothing (it may still be importing)
        self.failure: Exception | None = None
        self.pipe_intact = True  # False once a send or receive was cut short: the pipe is mid-message
        self.lock = threading.RLock()  # one user of the pipe at a time (see close)
        context = multiprocessing.get_context("spawn")  # never fork a process that holds threads and sockets
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child_end, ledger.store_url, bootstrap, topic), name="clientocracy-writer",
            daemon=True,
        )
        # Started with the stop signals blocked (the mask is inherited), so none can kill it while it
        # imports; it ignores them, then unblocks. Ours arrive once we unblock them again.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        child_end.close()

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        if refresh:
            with self.lock:
                self._send(("refresh", name))  # the writer re-reads it after the batches before it
        return known_position(self.ledger, self.summary, name, refresh=refresh)

    def record(self, batch: KafkaBatch) -> None:
        with self.lock:
            self._send(("record", batch))
            self.sent += 1
            self.in_flight += 1
            while self.in_flight > self.max_in_flight:
                self._receive()

    def collect(self) -> None:
        with self.lock:
            self._raise_failure()
            while self.connection.poll():  # a reply, or the end of the pipe if the writer died
                self._receive()

    def flush(self, timeout: float | None = None) -> bool:
        with self.lock:
            self._raise_failure()
            if not self.sent:  # nothing to wait for, not even a start under a busy CPU (it may take seconds)
                return True
            deadline = None if timeout is None else time.monotonic() + timeout
            while self.in_flight:
                if deadline is not None and not self.connection.poll(max(0.0, deadline - time.monotonic())):
                    return False
                self._receive()
            return True

    def close(self) -> None:
        """Stop the writer once it has recorded what it holds; one that does not stop in time is killed.

        Call ``flush`` first to learn of a failure: ``close`` also runs while another error
        unwinds (a second stop signal among them), so it keeps quiet about the writer's own and
        then does not wait long: the writer's open transaction, if any, rolls back whole.
        """
        orderly = False
        # A rebalance callback on kafka-python's thread may be using the pipe (only when a stop
        # signal cut the main thread's wait short): then skip the orderly part.
        in_hand = self.lock.acquire(timeout=ABANDON_TIMEOUT_S)
        try:
            if in_hand and self.sent and self.failure is None and self.pipe_intact and self.process.is_alive():
                self.connection.send(None)
                orderly = self.flush(STOP_TIMEOUT_S)
        except (OSError, WriterError, DeadLetterError):
            pass
        finally:
            if in_hand:
                self.lock.release()
            self.connection.close()  # a writer still reading finds the end of the pipe
            self.process.join(STOP_TIMEOUT_S if orderly else ABANDON_TIMEOUT_S)
            if self.process.is_alive():
                self.process.kill()  # SIGTERM is ignored by design
                self.process.join()

    def _send(self, message: Any) -> None:
        self._raise_failure()
        try:
            with self._pipe_use():
                self.connection.send(message)
        except OSError as error:
            # A writer that failed sent why before it stopped reading: that reason, not the broken pipe.
            while self.connection.poll():
                self._receive()
            self._fail(WriterError(f"the writer process died ({error})"))

    def _receive(self) -> None:
        self._raise_failure()
        try:
            with self._pipe_use():
                kind, payload = self.connection.recv()
        except (EOFError, OSError):
            self.process.join(1.0)
            self._fail(WriterError(f"the writer process died (exit code {self.process.exitcode})"))
        self.in_flight -= 1
        if kind == "tally":
            self.summary.absorb(payload)
        elif kind == "dead-letter-failure":
            self._fail(DeadLetterError(payload))
        else:
            self._fail(WriterError(payload))

    @contextmanager
    def _pipe_use(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.pipe_intact = False  # e.g. KeyboardInterrupt half-way through a message
            raise

    def _fail(self, failure: Exception) -> NoReturn:
        self.failure = failure
        raise failure

    def _raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def serve(connection: Connection, store_url: str, bootstrap: str, topic: str) -> None:
    """The writer process: record each batch received, reply with the tally, until told to stop."""
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    with ExitStack() as cleanup:
        try:
            ledger = Ledger.open(store_url)
            cleanup.callback(ledger.close)
            summary = IngestSummary(source=f"kafka:{topic}")
            writer = InlineWriter(ledger, summary, bootstrap, topic)
            cleanup.callback(writer.close)
        except Exception as error:
            connection.send(("failure", f"the writer process could not start: {error!r}"))
            return
        try:
            connection.send(("tally", summary.tally()))
            while (message := connection.recv()) is not None:
                command, argument = message
                try:
                    if command == "refresh":
                        writer.position(argument, refresh=True)
                        continue
                    writer.record(argument)
                except DeadLetterError as error:
                    connection.send(("dead-letter-failure", str(error)))
                    return
                except Exception as error:  # reported to the consumer, which stops with it
                    connection.send(("failure", f"recording failed: {error!r}"))
                    return
                connection.send(("tally", summary.tally(argument.tracking_name)))
        except (EOFError, OSError):
            return  # the consumer is gone: what it handed over was recorded or rolled back whole
