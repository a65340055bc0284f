"""Sites by key, kept in each web process: a request checks the site's generation, not its whole hash.

Reading a site from its key takes two round trips and parsing its policy; checking that a site read
earlier is still current takes one (the key's entry and the site's generation, see SiteStore), so a
rotated or revoked key, or a changed policy, is seen by the very next request in every process.
"""

from __future__ import annotations

import hmac
from collections import OrderedDict

from .sites import KnownSite, SiteStore, hash_key

# Sites one process keeps; past it the least recently used is read again when next needed. A site is a
# few KB (its policy), at most about 2 MB with its key lists full.
SITES_KEPT = 1024


class SiteCache:
    """Authenticates site keys against what this process last read, confirmed current in one round trip."""

    def __init__(self, sites: SiteStore, capacity: int = SITES_KEPT) -> None:
        self.sites = sites
        self.capacity = capacity
        self._known: OrderedDict[str, KnownSite] = OrderedDict()  # by the key's hash, never the key

    def held(self, key: str) -> KnownSite | None:
        """The key's site as this process last read it, without asking Redis whether it is still current."""
        digest = hash_key(key)
        known = self._known.get(digest)
        return known if known is not None and hmac.compare_digest(known.key_hash, digest) else None

    def site_for_key(self, key: str) -> KnownSite | None:
        """The site the key belongs to now, with its current policy; None for a key no site has."""
        digest = hash_key(key)
        known = self._known.get(digest)
        if known is not None and hmac.compare_digest(known.key_hash, digest) and self.sites.is_current(known):
            # Another request of this process (gevent) may have dropped or replaced it during that round trip.
            if self._known.get(digest) is known:
                self._known.move_to_end(digest)
            return known
        return self.read_again(key)

    def read_again(self, key: str) -> KnownSite | None:
        """Read the key's site from Redis and keep it; forget it when no site has that key."""
        digest = hash_key(key)
        self._known.pop(digest, None)
        known = self.sites.known_site(digest)
        if known is not None:
            self._known[digest] = known
            while len(self._known) > self.capacity:
                self._known.popitem(last=False)
        return known
