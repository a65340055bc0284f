"""RQ's ceiling: a job that does nothing, in a module that imports nothing (a forked horse imports it per job)."""


def noop() -> None:
    """Return at once."""
    return None
