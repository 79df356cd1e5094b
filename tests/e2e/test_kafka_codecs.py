"""Compressed feedback from librdkafka through the real `clientocracy ingest kafka` process.

Every codec Kafka defines decodes; a batch the consumer cannot decode (its codec's library made
unimportable in the consumer's process) is reported, dead-lettered whole with its bytes, stepped
over, and nothing before or after it is lost or recorded twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.producer import sender
from kafka.record import MemoryRecords

from consumers.dead_letter import dead_letter_topic
from domain.service.ledger import Ledger
from tests.support.feedback import encode, feedback, recorded_feedback_ids
from tests.support.kafka import create_topic, produce, read_topic
from tests.support.librdkafka import CODECS, Keyed, produce_batch

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parents[2]
BLOCKER = ROOT / "tests" / "support" / "blocked_imports"
LIBRARIES = {"snappy": "snappy", "lz4": "lz4,lz4f,lz4framed", "zstd": "zstandard"}
"""What kafka-python imports for each codec, to block in the consumer's process."""
KAFKA_CODEC_IDS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
BAD = b"{not json"


def messages(prefix: str, count: int, *, bad_at: int | None = None) -> list[Keyed]:
    """Keyed, with headers, compressible (repetitive text); ``bad_at`` is not JSON."""
    return [(f"client-{i % 3}".encode(),
             BAD if i == bad_at else encode(feedback(f"{prefix}-{i}", client=f"client-{i % 3}",
                                                     text=f"Parcel {i} came late again, " * 8)),
             [("desk", b"helpdesk-7"), ("trace", f"{prefix}-{i}".encode())])
            for i in range(count)]


def ingest(store: str, bootstrap: str, topic: str, *, block: str = "") -> tuple[int, dict[str, Any], str]:
    """Run `clientocracy ingest kafka` as a user does, with ``block`` unimportable in its processes."""
    env = {**os.environ, "CLIENTOCRACY_TEST_BLOCK_IMPORTS": block,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(BLOCKER), str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "scripts", "ingest", "kafka", "--bootstrap", bootstrap, "--topic", topic,
         "--group", f"g-{topic}", "--until-idle", "3", "--session-timeout", "3", "--store", store, "--json"],
        capture_output=True, text=True, env=env, timeout=180, cwd=ROOT)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def letters_by_position(bootstrap: str, topic: str, at_least: int) -> dict[tuple[int, int], Any]:
    found = {}
    for record in read_topic(bootstrap, dead_letter_topic(topic), at_least=at_least):
        headers = dict(record.headers)
        found[(int(headers["source_partition"]), int(headers["source_offset"]))] = record
    return found


def recorded_once(store: str) -> Counter[str]:
    ledger = Ledger.open(store)
    try:
        return recorded_feedback_ids(ledger)
    finally:
        ledger.close()


def produce_corrupted(bootstrap: str, topic: str, messages: list[Keyed]) -> list[int]:
    """Send ``messages`` as one batch whose last byte but two is flipped on the wire (its CRC no longer
    matches), as a faulty producer or a damaged disk would; the broker takes it as it comes."""
    build = sender.Sender._produce_request

    def damaged(self: Any, *args: Any) -> Any:
        request = build(self, *args)
        for topic_data in request.topic_data:
            for partition in topic_data.partition_data:
                partition.records = partition.records[:-3] + bytes([partition.records[-3] ^ 0xFF]) + \
                    partition.records[-2:]
        return request

    sender.Sender._produce_request = damaged  # type: ignore[method-assign]
    try:
        return [meta.offset for meta in produce(bootstrap, topic, messages, partition=0)]
    finally:
        sender.Sender._produce_request = build  # type: ignore[method-assign]


def test_every_codec_kafka_defines_is_decoded_keys_headers_and_bad_messages_kept(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = create_topic(kafka_bootstrap, partitions=len(CODECS))
    store = f"sqlite:///{tmp_path / 'store.db'}"
    bad: set[tuple[int, int]] = set()
    valid: set[str] = set()
    for partition, codec in enumerate(CODECS):
        sent = messages(codec, 40, bad_at=17)
        offsets = produce_batch(kafka_bootstrap, topic, partition, codec, sent)
        bad.add((partition, offsets[17]))
        valid |= {f"{codec}-{i}" for i in range(40) if i != 17}

    code, summary, stderr = ingest(store, kafka_bootstrap, topic)

    assert code == 0, stderr
    assert summary["undecodable_batches"] == []
    assert (summary["recorded"], summary["dead_lettered"]) == (len(valid), len(bad))
    counts = recorded_once(store)
    assert set(counts) == valid and set(counts.values()) == {1}
    letters = letters_by_position(kafka_bootstrap, topic, at_least=len(bad))
    assert set(letters) == bad
    for letter in letters.values():  # the original key, value and headers, and why
        headers = dict(letter.headers)
        assert letter.value == BAD and letter.key == b"client-2"
        assert headers["desk"] == b"helpdesk-7" and headers["reason_code"] == b"not_json"


@pytest.mark.parametrize("codec", sorted(LIBRARIES))
def test_a_batch_whose_codec_cannot_be_loaded_is_dead_lettered_whole_and_ingestion_goes_on(
        codec: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = create_topic(kafka_bootstrap, partitions=2)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    before = produce_batch(kafka_bootstrap, topic, 0, "gzip", messages("before", 10, bad_at=3))
    unreadable = produce_batch(kafka_bootstrap, topic, 0, codec, messages("unreadable", 12))
    after = produce_batch(kafka_bootstrap, topic, 0, "gzip", messages("after", 10, bad_at=6))
    beside = produce_batch(kafka_bootstrap, topic, 1, "none", messages("beside", 10))

    code, summary, stderr = ingest(store, kafka_bootstrap, topic, block=LIBRARIES[codec])

    first, last = unreadable[0], unreadable[-1]
    assert code == 3, stderr
    [report] = summary["undecodable_batches"]
    assert {k: report[k] for k in ("topic", "partition", "first_offset", "last_offset", "codec")} == {
        "topic": topic, "partition": 0, "first_offset": first, "last_offset": last, "codec": codec}
    assert "UnsupportedCodecError" in report["reason"]
    assert f"{topic} partition 0 offsets {first}-{last}" in stderr
    # nothing before or after it, nor beside it, is lost or recorded twice
    counts = recorded_once(store)
    expected = ({f"before-{i}" for i in range(10) if i != 3} | {f"after-{i}" for i in range(10) if i != 6}
                | {f"beside-{i}" for i in range(10)})
    assert set(counts) == expected and set(counts.values()) == {1}
    letters = letters_by_position(kafka_bootstrap, topic, at_least=3)
    assert set(letters) == {(0, before[3]), (0, first), (0, after[6])}
    assert summary["dead_lettered"] == 3
    whole = letters[(0, first)]
    headers = dict(whole.headers)
    assert headers["reason_code"] == b"undecodable_batch" and headers["source_last_offset"] == str(last).encode()
    # the dead letter keeps the batch's bytes as fetched: with the codec's library, they decode to the messages
    batch = MemoryRecords(whole.value).next_batch()
    assert (batch.base_offset, batch.last_offset, batch.compression_type) == (first, last, KAFKA_CODEC_IDS[codec])
    assert [json.loads(record.value)["feedback_id"] for record in batch] == [f"unreadable-{i}" for i in range(12)]
    # the store tracks the partition past it, and the group's committed offsets follow
    assert summary["positions"] == {f"kafka:{topic}:0": after[-1], f"kafka:{topic}:1": beside[-1]}
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=f"g-{topic}", enable_auto_commit=False)
    try:
        assert consumer.committed(TopicPartition(topic, 0)) == after[-1] + 1
    finally:
        consumer.close(autocommit=False)

    again, summary, stderr = ingest(store, kafka_bootstrap, topic)  # the library back: it stays stepped over

    assert (again, summary["consumed"], summary["undecodable_batches"]) == (0, 0, []), stderr
    assert recorded_once(store) == counts


def test_a_corrupt_batch_is_dead_lettered_whole_with_its_bytes_and_the_partition_reads_on(
        kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = create_topic(kafka_bootstrap, partitions=1)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    before = produce_batch(kafka_bootstrap, topic, 0, "zstd", messages("before", 5))
    corrupt = produce_corrupted(kafka_bootstrap, topic, messages("corrupt", 4))
    after = produce_batch(kafka_bootstrap, topic, 0, "snappy", messages("after", 5))

    code, summary, stderr = ingest(store, kafka_bootstrap, topic)

    assert code == 3, stderr
    [report] = summary["undecodable_batches"]
    assert (report["first_offset"], report["last_offset"]) == (corrupt[0], corrupt[-1])
    assert "CorruptRecordError" in report["reason"] and "crc" in report["reason"]
    assert set(recorded_once(store)) == {f"before-{i}" for i in range(5)} | {f"after-{i}" for i in range(5)}
    assert set(recorded_once(store).values()) == {1}
    [letter] = read_topic(kafka_bootstrap, dead_letter_topic(topic), at_least=1)
    batch = MemoryRecords(letter.value).next_batch()
    assert (batch.base_offset, batch.last_offset, batch.validate_crc()) == (corrupt[0], corrupt[-1], False)
    assert summary["positions"] == {f"kafka:{topic}:0": after[-1]} and before[-1] < corrupt[0]
