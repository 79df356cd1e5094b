"""How kafka-python surfaces a batch it cannot decode, and what ``consumers.kafka_undecodable`` makes of it.

We read the batch and its partition from the fetcher's frame in the error's traceback (kafka-python
names neither): these tests pin that to the installed kafka-python, in memory, with its own fetcher
code, so an upgrade that moves it fails here by name rather than as a stopped consumer.
"""

from __future__ import annotations

import struct

import pytest
from kafka import TopicPartition, codec
from kafka.consumer.fetcher import Fetcher
from kafka.errors import UnsupportedCodecError
from kafka.record import MemoryRecords, MemoryRecordsBuilder

from consumers.dead_letter import dead_letter_headers
from consumers.kafka_undecodable import UNDECODABLE_BATCH, broken_batch

LZ4 = 3


def lz4_batch(first_offset: int, count: int) -> bytes:
    """A v2 batch as a broker serves it: offsets are deltas from the base offset, which the broker sets
    (the first 8 bytes, outside the CRC)."""
    builder = MemoryRecordsBuilder(magic=2, compression_type=LZ4, batch_size=1 << 20)
    for i in range(count):
        builder.append(timestamp=1_700_000_000_000, key=b"k", value=b'{"n": %d}' % i, headers=[("h", b"v")])
    builder.close()
    return struct.pack(">q", first_offset) + bytes(builder.buffer())[8:]


def test_a_batch_without_its_codec_library_is_found_with_partition_offsets_and_bytes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = lz4_batch(40, 5)
    monkeypatch.setattr(codec, "lz4", None)  # as if the lz4 package were not installed
    parsed = Fetcher.PartitionRecords(40, TopicPartition("feedback", 2), MemoryRecords(raw))
    with pytest.raises(UnsupportedCodecError) as raised:
        parsed.take(10)

    broken = broken_batch(raised.value)

    assert broken is not None
    assert (broken.topic, broken.partition, broken.first_offset, broken.last_offset, broken.codec) == (
        "feedback", 2, 40, 44, "lz4")
    assert broken.payload == raw and "UnsupportedCodecError" in broken.reason
    headers = dict(dead_letter_headers(broken.source_record(), broken.rejection()))
    assert (headers["reason_code"], headers["source_offset"], headers["source_last_offset"]) == (
        UNDECODABLE_BATCH.encode(), b"40", b"44")
    assert "payload" not in broken.report()


def test_an_error_raised_outside_decoding_is_not_taken_for_a_broken_batch() -> None:
    try:
        raise ValueError("our own listener failed")
    except ValueError as error:
        assert broken_batch(error) is None
