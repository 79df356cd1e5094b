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
from contextlib import ExitStack
from multiprocessing.connection import Connection
from typing import Any, NoReturn, Protocol

from consumers.dead_letter import KafkaDeadLetters
from consumers.kafka_batch import KafkaBatch, record_batch
from consumers.recording import DeadLetterError, FeedbackRecorder, IngestSummary, known_position
from domain.application import Ledger

MAX_IN_FLIGHT = 2
"""Batches handed to the writer and not yet recorded: enough to keep both processes busy."""
STOP_TIMEOUT_S = 60.0


class WriterError(RuntimeError):
    """The writer process failed or died: nothing past its last recorded batch was tracked."""


class BatchWriter(Protocol):
    summary: IngestSummary

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        """The last recorded position of a source; ``refresh`` first drains and re-reads the store."""

    def record(self, batch: KafkaBatch) -> None:
        """Record a batch exactly once; may return before it is recorded (see ``flush``)."""

    def collect(self) -> None:
        """Take in the outcomes of batches recorded meanwhile, without waiting."""

    def flush(self) -> None:
        """Return once every batch handed over is recorded (or raise why it could not be)."""

    def close(self) -> None: ...


class InlineWriter:
    """Records each batch before ``record`` returns: one process, one core."""

    def __init__(self, ledger: Ledger, summary: IngestSummary, bootstrap: str, topic: str) -> None:
        self.summary = summary
        self.recorder = FeedbackRecorder(ledger, summary)
        self.dead_letters = KafkaDeadLetters(bootstrap, topic)

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        return self.recorder.position(name, refresh=refresh)

    def record(self, batch: KafkaBatch) -> None:
        record_batch(self.recorder, self.dead_letters, batch)

    def collect(self) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.dead_letters.close()


class WriterProcess:
    """Hands batches to a spawned writer process over a pipe and keeps the run's tally from its replies.

    The writer answers its start and every batch, in order, with its cumulative tally; a failure
    comes back as a reply too, and a writer that dies shows as a closed pipe. A failure is
    raised again by every later call: kafka-python swallows errors raised in its rebalance
    callbacks, so the next call from the poll loop must still see it. The writer ignores
    SIGINT and SIGTERM (a terminal's Ctrl-C reaches the whole process group): the consumer
    decides when it stops, and a writer whose consumer is gone finds its pipe closed and exits.
    """

    def __init__(self, ledger: Ledger, summary: IngestSummary, bootstrap: str, topic: str,
                 max_in_flight: int = MAX_IN_FLIGHT) -> None:
        if ledger.store_url is None:
            raise ValueError("a writer process needs a ledger opened from a store URL")
        self.ledger = ledger
        self.summary = summary
        self.max_in_flight = max_in_flight
        self.in_flight = 1  # the start reply
        self.failure: Exception | None = None
        context = multiprocessing.get_context("spawn")  # never fork a process that holds threads and sockets
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child_end, ledger.store_url, bootstrap, topic), name="clientocracy-writer",
            daemon=True,
        )
        self.process.start()
        child_end.close()

    def position(self, name: str, *, refresh: bool = False) -> int | None:
        if refresh:
            self.flush()
            self._send(("refresh", name))
        return known_position(self.ledger, self.summary, name, refresh=refresh)

    def record(self, batch: KafkaBatch) -> None:
        self._send(("record", batch))
        self.in_flight += 1
        while self.in_flight > self.max_in_flight:
            self._receive()

    def collect(self) -> None:
        self._raise_failure()
        while self.connection.poll():  # a reply, or the end of the pipe if the writer died
            self._receive()

    def flush(self) -> None:
        self._raise_failure()
        while self.in_flight:
            self._receive()

    def close(self) -> None:
        """Stop the writer once it has recorded what it holds; a writer that will not stop is terminated.

        Call ``flush`` first to learn of a failure: ``close`` also runs while another error
        unwinds, so it keeps quiet about the writer's own.
        """
        try:
            if self.failure is None and self.process.is_alive():
                self.connection.send(None)
                self.flush()
        except (OSError, WriterError, DeadLetterError):
            pass
        finally:
            self.process.join(STOP_TIMEOUT_S)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join()
            self.connection.close()

    def _send(self, message: Any) -> None:
        self._raise_failure()
        try:
            self.connection.send(message)
        except OSError as error:
            self._fail(WriterError(f"the writer process died ({error})"))

    def _receive(self) -> None:
        self._raise_failure()
        try:
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

    def _fail(self, failure: Exception) -> NoReturn:
        self.failure = failure
        raise failure

    def _raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def serve(connection: Connection, store_url: str, bootstrap: str, topic: str) -> None:
    """The writer process: record each batch received, reply with the tally, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
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
                if command == "refresh":
                    writer.position(argument, refresh=True)
                    continue
                try:
                    writer.record(argument)
                except DeadLetterError as error:
                    connection.send(("dead-letter-failure", str(error)))
                    return
                except Exception as error:  # reported to the consumer, which stops with it
                    connection.send(("failure", f"recording failed: {error!r}"))
                    return
                connection.send(("tally", summary.tally()))
        except (EOFError, OSError):
            return  # the consumer is gone: what it handed over was recorded or rolled back whole
