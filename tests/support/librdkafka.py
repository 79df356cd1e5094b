"""A producer no one here wrote: librdkafka (``confluent-kafka``), as support desks and shops send feedback.

Idempotent, keyed, with headers, and compressed with any codec Kafka defines. Each call is one
producer that sends its messages as one record batch (one partition, linger long enough, flushed
once), so a test knows exactly which offsets share a batch and its codec.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluent_kafka import KafkaException, Message, Producer

from tests.support.kafka import Header

CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
Keyed = tuple[bytes, bytes, list[Header]]


def produce_batch(bootstrap: str, topic: str, partition: int, codec: str, messages: Sequence[Keyed]) -> list[int]:
    """Send ``messages`` (key, value, headers) as one ``codec`` batch; the offsets the broker gave them, in order."""
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "enable.idempotence": True,
                         "linger.ms": 500, "batch.num.messages": 10_000, "log_level": 3})
    offsets: dict[int, int] = {}
    errors: list[str] = []

    def delivered(index: int):  # type: ignore[no-untyped-def]
        def report(error: object, message: Message) -> None:
            offset = message.offset()
            if error is not None or offset is None:
                errors.append(str(error or "delivered without an offset"))
            else:
                offsets[index] = offset
        return report

    for index, (key, value, headers) in enumerate(messages):
        sent_headers: list[tuple[str, str | bytes | None]] = list(headers)
        producer.produce(topic, value=value, key=key, headers=sent_headers, partition=partition,
                         on_delivery=delivered(index))
    if producer.flush(30) or errors:
        raise KafkaException(f"librdkafka could not deliver every message: {errors or 'timed out'}")
    return [offsets[index] for index in range(len(messages))]
