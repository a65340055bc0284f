"""What of a check's evidence is stored: counts, and the first few of each list.

A long comment can hold thousands of links or matched words; every one, with offsets, made
megabytes of evidence per comment, kept for good. A moderator needs what was found first and
how much there was; the decision itself is made on everything (censoring masks every match).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .models import Verdict

EVIDENCE_ITEMS = 20  # kept of each list (links, keys, matched words); its `<name>_count` has them all
EVIDENCE_TEXT = 200  # characters kept of one item's text (a link can be 60,000); its offsets stay whole


def _shortened(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    return {k: v[:EVIDENCE_TEXT] + "…" if isinstance(v, str) and len(v) > EVIDENCE_TEXT else v for k, v in item.items()}


def bounded_details(details: dict[str, Any]) -> dict[str, Any]:
    """Each list cut to its first EVIDENCE_ITEMS items, with its whole length beside it as `<name>_count`."""
    kept: dict[str, Any] = {}
    for name, value in details.items():
        if isinstance(value, list):
            kept[name] = [_shortened(item) for item in value[:EVIDENCE_ITEMS]]
            kept[f"{name}_count"] = len(value)
        else:
            kept[name] = value
    return kept


def bounded(verdict: Verdict) -> Verdict:
    """The verdict as it is stored: its details bounded."""
    return replace(verdict, details=bounded_details(verdict.details))
