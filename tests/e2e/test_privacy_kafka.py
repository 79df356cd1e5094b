"""Forgetting a client while `ingest kafka` runs: what was recorded before is gone, nothing crashes.

The consumer's writer seals each batch with the keys it reads for that batch, so a forget between
two batches takes effect at the next one: feedback that arrives after the forget is new data
under a new key (and readable), feedback recorded before it reads as ``[forgotten]``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from domain.personal_data import FORGOTTEN
from domain.service.ledger import Ledger
from tests.support.cli import cli_json, run_cli
from tests.support.feedback import encode, feedback, recorded_feedback_ids
from tests.support.kafka import create_topic, produce
from tests.support.privacy import store_bytes
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI (the broker's kafka mark comes from its fixture)

BEFORE = [f"VXQ-before-{i}-victim" for i in range(6)]
AFTER = "VXQ-after-victim"
CONTROL = [f"KMD-control-{i}" for i in range(7)]


def wait_recorded(store: str, ids: set[str], timeout: float = 60.0) -> None:
    ledger = Ledger.open(store)
    try:
        deadline = time.monotonic() + timeout
        while not ids <= set(recorded_feedback_ids(ledger)):
            assert time.monotonic() < deadline, f"not recorded in time: {ids - set(recorded_feedback_ids(ledger))}"
            time.sleep(0.3)
    finally:
        ledger.close()


def message(fid: str, client: str, text: str) -> tuple[bytes, bytes]:
    return client.encode(), encode(feedback(fid, client=client, text=text, team="ops"))


@pytest.mark.parametrize("store_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_forget_during_a_running_kafka_ingest(store_kind: str, request: pytest.FixtureRequest,
                                             kafka_bootstrap: str, tmp_path: Path) -> None:
    store = request.getfixturevalue("sqlite_url" if store_kind == "sqlite" else "postgres_url")
    views = tmp_path / "views.duckdb"
    scenario = Scenario(at="2026-01-01T00:00:00Z").team("ops", id="t").client("victim", "VXQ-name-victim", id="c")
    run_cli("import", "-", store=store, stdin=scenario.jsonl(), check=True)
    topic = create_topic(kafka_bootstrap, partitions=2)
    produce(kafka_bootstrap, topic, [message(f"b{i}", "victim", text) for i, text in enumerate(BEFORE)]
            + [message(f"c{i}", "control", text) for i, text in enumerate(CONTROL[:6])])
    err = (tmp_path / "ingest.err").open("w+")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "scripts", "ingest", "kafka", "--bootstrap", kafka_bootstrap, "--topic", topic,
         "--group", f"g-{tmp_path.name}", "--session-timeout", "3", "--store", store, "--json"],
        stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        wait_recorded(store, {f"b{i}" for i in range(6)} | {f"c{i}" for i in range(6)})
        assert "VXQ-before-0-victim" in run_cli("team", "show", "ops", "--json", store=store, views=views,
                                                check=True).stdout
        forgot = run_cli("forget", "client", "victim", "--reason", "ticket K-9", store=store, views=views)
        assert forgot.returncode == 0, forgot.stderr
        assert ingest.poll() is None, "the consumer stopped when the client was forgotten"
        produce(kafka_bootstrap, topic, [message("a0", "victim", AFTER), message("c6", "control", CONTROL[6])])
        wait_recorded(store, {"a0", "c6"})
        ingest.send_signal(signal.SIGTERM)  # finishes the batches in hand, exits 0
        out, _ = ingest.communicate(timeout=120)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    err.seek(0)
    assert ingest.returncode == 0, err.read()[-2000:]
    assert json.loads(out)["recorded"] == 14

    team = cli_json("team", "show", "ops", store=store, views=views)
    texts = {c["feedback_id"]: c["text"] for c in team["open_complaints"]}
    assert {texts[f"b{i}"] for i in range(6)} == {FORGOTTEN}
    assert texts["a0"] == AFTER  # sent after the forget: new data, under a new key
    assert [texts[f"c{i}"] for i in range(7)] == CONTROL
    view_bytes = views.read_bytes()
    assert not [m for m in [*BEFORE, "VXQ-name-victim"] if m.encode() in view_bytes]
    assert all(m.encode() in view_bytes for m in CONTROL)
    assert not [m for m in [*BEFORE, AFTER, *CONTROL] if m.encode() in store_bytes(store)]  # encrypted at rest
    assert cli_json("verify", store=store)["ok"] is True
