"""A login that upgrades a password's hash never brings back a password reset meanwhile."""

from __future__ import annotations

from workers import moderators
from workers.moderators import Role

OLD = "the old password, leaked"
NEW = "the new password after the reset"


def test_a_reset_during_a_logins_rehash_stands(rt, site, monkeypatch):
    rt.moderators.add("ada@example.org", Role.MODERATOR, frozenset({site.site_id}), OLD)
    real = moderators._hasher
    reset = []

    class ResetLandsBeforeTheRehash:
        """The login has checked the old hash; an admin's reset lands before the new hash is written."""

        def __getattr__(self, name):
            return getattr(real, name)

        def check_needs_rehash(self, stored):
            if not reset:
                reset.append(rt.moderators.reset_password("ada@example.org", NEW))
                return True  # the hash parameters changed (a library upgrade): the login rehashes
            return False

    monkeypatch.setattr(moderators, "_hasher", ResetLandsBeforeTheRehash())
    assert rt.moderators.verify_password("ada@example.org", OLD) is not None  # it was right when checked
    assert rt.moderators.verify_password("ada@example.org", NEW) is not None
    assert rt.moderators.verify_password("ada@example.org", OLD) is None
