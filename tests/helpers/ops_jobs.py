"""A job that fails on its first run and succeeds on the next: what an operator requeues from the ops page.

Run by a real worker process (it imports this module by name), so the state between runs is a file.
"""

from __future__ import annotations

from pathlib import Path


def fail_first_time(marker: str) -> str:
    """Raise the first time (leaving `marker` behind), return "done" every time after."""
    path = Path(marker)
    if not path.exists():
        path.write_text("failed once\n")
        raise RuntimeError("the upstream service timed out (first run fails on purpose)")
    return "done"


def fail_quoting(text: str) -> None:
    """Fail with `text` in the exception's message, as a traceback that quotes a reader's comment would."""
    raise ValueError(f"could not parse the comment {text!s}")
