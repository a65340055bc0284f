"""Every policy field and every setting is documented with its default."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from workers.config import Settings
from workers.policy import Policy

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_policy_field_is_documented_with_its_default():
    text = (DOCS / "policy.md").read_text()
    for name, field in Policy.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        shown = getattr(default, "value", default)
        shown = str(shown).lower() if isinstance(shown, bool) else str(shown)
        assert f"| `{name}` | `{shown}` |" in text, name


def test_every_setting_has_its_environment_variable_documented():
    text = (DOCS / "operations.md").read_text()
    for field in dataclasses.fields(Settings):
        if field.name == "redis_url":
            continue
        assert f"`COMMENTGATE_{field.name.upper()}`" in text, field.name
