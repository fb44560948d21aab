"""Prometheus exposition of an ingest worker: consumer counters and per-source outcomes.

A collector reads the consumer's :class:`ConsumerMetrics` snapshot and the router's per-source
counts at scrape time, so the exported numbers are exactly the ones the tests check.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from core.ingest.messages import RouterStats
from core.ingest.mqtt import ConsumerMetrics

_COUNTERS = {
    "received": "MQTT messages received from the broker",
    "acked": "MQTT messages acknowledged after their batch was committed",
    "batches": "batches handled successfully",
    "handler_failures": "batches whose storage failed (retried, not acknowledged)",
    "reconnects": "reconnections to the broker",
    "backpressure_waits": "times the bounded queue was full and the network thread waited",
}


class IngestCollector(Collector):
    def __init__(self, metrics: ConsumerMetrics, stats: RouterStats) -> None:
        self.metrics = metrics
        self.stats = stats

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        snapshot = self.metrics.snapshot()
        for name, help_text in _COUNTERS.items():
            yield CounterMetricFamily(f"stadspuls_mqtt_{name}", help_text, value=snapshot[name])
        yield GaugeMetricFamily(
            "stadspuls_mqtt_queue_depth",
            "messages waiting for the writer",
            value=snapshot["queue_depth"],
        )
        batches = max(snapshot["batches"], 1)
        yield GaugeMetricFamily(
            "stadspuls_mqtt_batch_latency_seconds_avg",
            "mean seconds from a batch's first message to its ack",
            value=snapshot["batch_latency_sum"] / batches,
        )
        yield GaugeMetricFamily(
            "stadspuls_mqtt_batch_latency_seconds_max",
            "longest seconds from a batch's first message to its ack",
            value=snapshot["batch_latency_max"],
        )
        records = CounterMetricFamily(
            "stadspuls_ingest_messages",
            "messages by source and outcome",
            labels=["source", "outcome"],
        )
        for source, counts in sorted(self.stats.by_source.items()):
            records.add_metric([source, "accepted"], counts.accepted)
            records.add_metric([source, "quarantined"], counts.quarantined)
        yield records


def serve_metrics(port: int, metrics: ConsumerMetrics, stats: RouterStats) -> CollectorRegistry:
    """Start the /metrics endpoint on ``port`` in a daemon thread."""
    registry = CollectorRegistry()
    registry.register(IngestCollector(metrics, stats))
    start_http_server(port, registry=registry)
    return registry
