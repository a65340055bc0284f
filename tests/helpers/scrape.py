"""Reading a `/metrics` answer the way Prometheus does: prometheus-client's own text parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def families(text: str) -> dict[str, str]:
    """Each exported name as PromQL spells it (a counter with `_total`) and its type."""
    found = {}
    for family in text_string_to_metric_families(text):
        found[family.name + "_total" if family.type == "counter" else family.name] = family.type
    return found


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample: (sample name, its labels) → value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    """One sample's value, or None when the scrape does not have it."""
    return samples(text).get((name, frozenset(labels.items())))
