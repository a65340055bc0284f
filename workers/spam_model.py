"""A per-site naive Bayes spam model whose token counts live in Redis, shared by every worker.

Learning is HINCRBY, so any number of workers and moderators can teach it at once. A model that has
seen fewer than `spam_min_training` comments of either class abstains.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from redis import Redis
from redis.client import Pipeline

from .keys import Keys
from .store import decode
from .text import LINK

SPAM, HAM = "spam", "ham"
TOKEN = re.compile(r"[^\W_]{2,30}", re.UNICODE)
MAX_TOKENS = 400  # distinct tokens scored per comment: bounds the HMGET and the work per comment
EVIDENCE_TOKENS = 8

# Unlearning drops a count that reaches zero: a field left at 0 would still count in the vocabulary
# (HLEN), so scores would not return to what they were before the mistaken label. Atomic per hash,
# so it can run beside learning; counts never go below zero.
SUBTRACT = """
for i = 1, #ARGV, 2 do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) <= 0 then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
"""


def tokenize(text: str) -> list[str]:
    """Lower-cased words, plus a marker and the host for each link (spam's strongest signal)."""
    tokens: list[str] = []
    for m in LINK.finditer(text):
        raw = m.group(0)
        host = urlsplit(raw if "://" in raw else f"http://{raw}").hostname or ""
        tokens.append("__link__")
        if host:
            tokens.append(f"__host__:{host.removeprefix('www.')}")
    tokens.extend(t.lower() for t in TOKEN.findall(LINK.sub(" ", text)))
    return tokens


@dataclass(frozen=True)
class SpamScore:
    """The model's probability that a comment is spam, or None when it abstains."""

    probability: float | None
    trained: dict[str, int]
    drivers: list[dict[str, float | str]] = field(default_factory=list)


def naive_bayes(
    tokens: Iterable[str],
    spam_counts: dict[str, int],
    ham_counts: dict[str, int],
    docs: dict[str, int],
    totals: dict[str, int],
    vocabulary: int,
) -> tuple[float, list[dict[str, float | str]]]:
    """Multinomial naive Bayes with Laplace smoothing; returns P(spam) and the tokens that drove it."""
    n_spam, n_ham = docs[SPAM], docs[HAM]
    log_odds = math.log(n_spam / n_ham)
    v = max(vocabulary, 1)
    contributions: list[tuple[float, str]] = []
    for token, count in Counter(tokens).items():
        p_spam = (spam_counts.get(token, 0) + 1) / (totals[SPAM] + v)
        p_ham = (ham_counts.get(token, 0) + 1) / (totals[HAM] + v)
        weight = math.log(p_spam / p_ham)
        log_odds += count * weight
        if token in spam_counts or token in ham_counts:
            contributions.append((count * weight, token))
    log_odds = max(min(log_odds, 700.0), -700.0)
    probability = 1.0 / (1.0 + math.exp(-log_odds))
    contributions.sort(key=lambda c: abs(c[0]), reverse=True)
    drivers: list[dict[str, float | str]] = [
        {"token": t, "weight": round(w, 3)} for w, t in contributions[:EVIDENCE_TOKENS]
    ]
    return probability, drivers


class SpamModel:
    """Reads and teaches one Redis-held model per site."""

    def __init__(self, connection: Redis, keys: Keys | None = None) -> None:
        self.redis = connection
        self.keys = keys or Keys()

    def learn(self, site_id: str, text: str, label: str, weight: int = 1) -> None:
        """Count the text's tokens toward `label` (weight -1 unlearns a mistaken label)."""
        self.learn_many(site_id, [(text, label)], weight)

    def learn_many(self, site_id: str, items: Iterable[tuple[str, str]], weight: int = 1) -> int:
        """Learn (or with weight -1 unlearn) many labelled texts; returns how many."""
        n = 0
        with self.redis.pipeline(transaction=False) as pipe:
            for text, label in items:
                self.learn_on(pipe, site_id, text, label, weight)
                n += 1
                if len(pipe) > 5000:
                    pipe.execute()
            pipe.execute()
        return n

    def learn_on(self, pipe: Pipeline, site_id: str, text: str, label: str, weight: int = 1) -> None:
        """Queue the learning (or with weight -1 the unlearning) of one text on the caller's pipeline.

        Works inside a MULTI: a decision and what it teaches are written in one EXEC.
        """
        if label not in (SPAM, HAM):
            raise ValueError(f"label must be spam or ham, not {label!r}")
        counts = Counter(tokenize(text))
        tokens = {token: weight * count for token, count in counts.items()}
        tallies = {label: weight, f"tokens:{label}": weight * sum(counts.values())}
        self._add(pipe, self.keys.spam_tokens(site_id, label), tokens)
        self._add(pipe, self.keys.spam_docs(site_id), tallies)

    def _add(self, pipe: Pipeline, key: str, deltas: dict[str, int]) -> None:
        """Add to counts: HINCRBY to learn; to unlearn, a script that also drops what reaches zero."""
        if not deltas:
            return
        if all(d >= 0 for d in deltas.values()):
            for field_name, delta in deltas.items():
                pipe.hincrby(key, field_name, delta)
            return
        # EVAL with the script's text, not EVALSHA: inside a decision's MULTI a script missing from the
        # server's cache (a restart, SCRIPT FLUSH) fails alone at EXEC, and the rest of the decision applies.
        pipe.eval(SUBTRACT, 1, key, *[x for pair in deltas.items() for x in pair])

    def trained(self, site_id: str) -> dict[str, int]:
        raw = self.redis.hgetall(self.keys.spam_docs(site_id))
        counts = {decode(k): int(v) for k, v in raw.items()}
        return {SPAM: counts.get(SPAM, 0), HAM: counts.get(HAM, 0)}

    def score(self, site_id: str, text: str, min_training: int) -> SpamScore:
        """P(spam) for the text, or an abstention when either class has too few examples."""
        tokens = tokenize(text)
        distinct = list(dict.fromkeys(tokens))[:MAX_TOKENS]
        k = self.keys
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(k.spam_docs(site_id))
            pipe.hlen(k.spam_tokens(site_id, SPAM))
            pipe.hlen(k.spam_tokens(site_id, HAM))
            if distinct:
                pipe.hmget(k.spam_tokens(site_id, SPAM), distinct)
                pipe.hmget(k.spam_tokens(site_id, HAM), distinct)
            results = pipe.execute()
        raw_docs = {decode(a): int(b) for a, b in results[0].items()}
        docs = {SPAM: raw_docs.get(SPAM, 0), HAM: raw_docs.get(HAM, 0)}
        if min(docs.values()) < min_training:
            return SpamScore(probability=None, trained=docs)
        totals = {SPAM: raw_docs.get(f"tokens:{SPAM}", 0), HAM: raw_docs.get(f"tokens:{HAM}", 0)}
        spam_counts = _counts(distinct, results[3]) if distinct else {}
        ham_counts = _counts(distinct, results[4]) if distinct else {}
        vocabulary = max(int(results[1]), int(results[2]))
        scored = set(distinct)
        kept = [t for t in tokens if t in scored]
        probability, drivers = naive_bayes(kept, spam_counts, ham_counts, docs, totals, vocabulary)
        return SpamScore(probability=probability, trained=docs, drivers=drivers)


def _counts(tokens: list[str], values: list[bytes | None]) -> dict[str, int]:
    return {t: int(v) for t, v in zip(tokens, values, strict=True) if v is not None and int(v) > 0}
