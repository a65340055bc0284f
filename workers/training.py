"""Reading labeled comments from CSV for the spam model (the CLI's `spam train` and the evaluation)."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from pathlib import Path

from .spam_model import HAM, SPAM

_TAG = re.compile(r"<[^>]+>")


def clean_text(text: str) -> str:
    """Plain text as the service would receive it: no HTML entities or tags, no BOM characters."""
    return _TAG.sub(" ", html.unescape(text)).replace("\ufeff", "").strip()


def read_labeled(
    path: str | Path, text_column: str, label_column: str, spam_values: tuple[str, ...] = ("1", "spam")
) -> Iterator[tuple[str, str]]:
    """(text, "spam" | "ham") per row; rows with an empty text are skipped."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        for column in (text_column, label_column):
            if column not in fields:
                raise ValueError(f"{path}: no column {column!r} (columns: {', '.join(fields)})")
        for row in reader:
            text = clean_text(row[text_column] or "")
            if text:
                yield text, SPAM if (row[label_column] or "").strip() in spam_values else HAM
