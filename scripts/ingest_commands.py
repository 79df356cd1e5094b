"""`clientocracy ingest kafka|file`: client feedback into the ledger exactly once, bad messages set aside."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from scripts.options import JsonOpt, StoreOpt, WriteOnlyViewsOpt, check_writable_file, fail, open_ledger
from scripts.reading import emit_json

ingest_app = typer.Typer(help="Ingest client feedback from Kafka or a file.", no_args_is_help=True)


def progress_line(summary: Any, lags: Mapping[str, int | None]) -> None:
    """One self-overwriting status line on a terminal: totals, rate and lag per partition."""
    lag = " ".join(f"{name.rsplit(':', 1)[-1]}:{'?' if n is None else n}" for name, n in sorted(lags.items()))
    sys.stderr.write(
        f"\r{summary.consumed} consumed, {summary.recorded} recorded, {summary.duplicates} duplicates, "
        f"{summary.dead_lettered} dead-lettered, {summary.rate:.0f} msg/s" + (f", lag {lag}" if lag else "")
        + "\033[K"
    )
    sys.stderr.flush()


def _progress() -> Callable[[Any, Mapping[str, int | None]], None] | None:
    return progress_line if sys.stderr.isatty() else None


def _report(summary: Any, json_output: bool) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if json_output:
        emit_json(summary.to_dict())
        return
    typer.echo(
        f"{summary.source}: {summary.consumed} consumed, {summary.recorded} recorded, "
        f"{summary.duplicates} duplicates, {summary.dead_lettered} dead-lettered"
        + (f" ({summary.id_conflicts} id_conflict)" if summary.id_conflicts else "")
        + f" in {summary.seconds:.1f}s ({summary.rate:.0f} msg/s)"
        + "".join(f"; line {line} held back: no line end yet (still being written?), read by the next run"
                  for line in summary.held_back)
    )


@contextmanager
def _ingest_errors() -> Iterator[None]:
    """Operational failures end the run with a one-line reason and exit 1; nothing past them was tracked."""
    from kafka.errors import KafkaError

    from consumers.batch_writers import WriterError
    from consumers.kafka_ingest import KafkaIngestError
    from consumers.recording import DeadLetterError

    try:
        yield
    except (DeadLetterError, KafkaIngestError, KafkaError, WriterError) as error:
        raise fail(f"ingest stopped: {error}") from None
    except KeyboardInterrupt:
        raise fail("ingest interrupted", 130) from None


@ingest_app.command("kafka")
def kafka_command(
    topic: Annotated[str, typer.Option("--topic", help="Topic of feedback messages.")],
    bootstrap: Annotated[
        str, typer.Option("--bootstrap", envvar="KAFKA_BOOTSTRAP_SERVERS", help="Broker HOST:PORT.")
    ],
    group: Annotated[str, typer.Option("--group", help="Consumer group.")] = "clientocracy-feedback",
    until_idle: Annotated[
        float | None, typer.Option("--until-idle", help="Exit after this many seconds without messages.", min=0)
    ] = None,
    session_timeout: Annotated[
        float, typer.Option("--session-timeout", help="Seconds before the group drops a silent member.", min=1)
    ] = 6.0,
    max_batch: Annotated[int, typer.Option("--max-batch", help="Messages per poll at most.", min=1)] = 5000,
    inline: Annotated[
        bool, typer.Option("--inline", help="Record in this process, not in a writer process beside it (one core).")
    ] = False,
    store: StoreOpt = None,
    views: WriteOnlyViewsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Consume feedback as a member of a consumer group; SIGTERM/SIGINT finish the batch and exit 0."""
    from consumers.kafka_ingest import ingest_kafka
    from domain.service.stopping import exit_stopped, stop_on_signals

    ledger = open_ledger(store)
    try:
        with stop_on_signals() as stop, _ingest_errors():
            summary = ingest_kafka(
                ledger, bootstrap=bootstrap, topic=topic, group=group, until_idle=until_idle, stop=stop,
                session_timeout=session_timeout, max_batch=max_batch, on_progress=_progress(),
                writer_process=not inline,
            )
    finally:
        ledger.close()
    _report(summary, json_output)
    code = _undecodable(summary)
    if stop.is_set():
        exit_stopped(code)
    if code:
        raise typer.Exit(code)


UNDECODABLE_EXIT = 3
"""`ingest kafka` ran on, but stepped over record batches it could not decode (each dead-lettered whole)."""


def _undecodable(summary: Any) -> int:
    """One stderr line per undecodable batch; the exit code that says whether there were any."""
    for batch in summary.undecodable_batches:
        typer.echo(f"undecodable batch: {batch['topic']} partition {batch['partition']} offsets "
                   f"{batch['first_offset']}-{batch['last_offset']} ({batch['codec']}): {batch['reason']}; "
                   "dead-lettered whole, ingestion went on after it", err=True)
    return UNDECODABLE_EXIT if summary.undecodable_batches else 0


@ingest_app.command("file")
def file_command(
    file: Annotated[str, typer.Argument(help="JSONL file of feedback messages, or - for stdin.")],
    dead_letters: Annotated[
        Path | None,
        typer.Option("--dead-letters", help="Bad lines go here (default FILE.dlq.jsonl, ./stdin.dlq.jsonl)."),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Lines per transaction.", min=1)] = 1000,
    store: StoreOpt = None,
    views: WriteOnlyViewsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Ingest a feedback file; a re-run resumes after its last recorded line; bad lines go to a .dlq.jsonl."""
    from consumers.file_ingest import ingest_lines
    from domain.service.stopping import StoppableReader, stop_on_signals

    path = None if file == "-" else Path(file)
    if dead_letters is not None:
        check_writable_file(dead_letters, "--dead-letters")
    try:
        stream = sys.stdin.buffer if path is None else path.open("rb")
    except OSError as error:
        raise fail(f"cannot read {file}: {error}", 2) from None
    ledger = open_ledger(store)
    try:
        with stream, stop_on_signals() as stop, _ingest_errors():
            lines = stream if path is not None else StoppableReader(stream, stop)  # stdin may wait for input
            summary = ingest_lines(
                ledger, lines, path=path, dead_letters_to=dead_letters, batch_size=batch_size, stop=stop,
                on_progress=_progress(),
            )
    finally:
        ledger.close()
    _report(summary, json_output)
