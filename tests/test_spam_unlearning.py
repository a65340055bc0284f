"""Unlearning a mistaken label takes back exactly what learning it added."""

from __future__ import annotations

from workers.runtime import Runtime
from workers.spam_model import HAM, SPAM

SPAM_TEXTS = [f"subscribe to my channel for free gift cards at https://gifts.example/{i}" for i in range(5)]
HAM_TEXTS = [f"the minister's plan for rural schools seems reasonable, part {i}" for i in range(5)]


def counts(rt: Runtime, site_id: str) -> dict[str, dict[str, int]]:
    """Every count the model keeps for a site: per-class token counts and the document tallies."""
    k = rt.keys
    keys = {SPAM: k.spam_tokens(site_id, SPAM), HAM: k.spam_tokens(site_id, HAM), "docs": k.spam_docs(site_id)}
    return {name: {f.decode(): int(v) for f, v in rt.connection.hgetall(key).items()} for name, key in keys.items()}


def test_learn_then_unlearn_leaves_an_untrained_model(rt, site):
    model, sid = rt.spam, site.site_id
    labelled = [(t, SPAM) for t in SPAM_TEXTS] + [(t, HAM) for t in HAM_TEXTS]
    model.learn_many(sid, labelled)
    assert model.trained(sid) == {SPAM: 5, HAM: 5}
    assert model.score(sid, SPAM_TEXTS[0], min_training=5, use_base=False).probability is not None
    model.learn_many(sid, labelled, weight=-1)
    assert model.trained(sid) == {SPAM: 0, HAM: 0}
    assert model.score(sid, SPAM_TEXTS[0], min_training=1, use_base=False).probability is None  # abstains again
    assert counts(rt, sid) == {SPAM: {}, HAM: {}, "docs": {}}  # nothing left, not even zeros


def test_unlearning_what_was_never_learned_leaves_no_negative_counts(rt, site):
    model, sid = rt.spam, site.site_id
    model.learn_many(sid, [(t, HAM) for t in HAM_TEXTS])
    model.learn(sid, SPAM_TEXTS[0], SPAM, weight=-1)  # a label taken back twice, or never given
    model.learn(sid, HAM_TEXTS[0], HAM, weight=-1)
    model.learn(sid, HAM_TEXTS[0], HAM, weight=-1)
    left = counts(rt, sid)
    assert left[SPAM] == {}
    assert all(v > 0 for fields in left.values() for v in fields.values()), left
    assert model.trained(sid) == {SPAM: 0, HAM: 3}


def test_unlearning_a_mistake_restores_the_models_scores(rt, site):
    model, sid = rt.spam, site.site_id
    model.learn_many(sid, [(t, SPAM) for t in SPAM_TEXTS] + [(t, HAM) for t in HAM_TEXTS])
    probes = ["Free gift cards, subscribe now!", "The schools plan is reasonable.", "A new word: xylophone."]
    before = {p: model.score(sid, p, min_training=5, use_base=False).probability for p in probes}
    mistake = "Quarterly zoning hearing postponed indefinitely"  # a reader's comment, wrongly marked spam
    model.learn(sid, mistake, SPAM)
    assert {p: model.score(sid, p, min_training=5, use_base=False).probability for p in probes} != before
    model.learn(sid, mistake, SPAM, weight=-1)
    assert {p: model.score(sid, p, min_training=5, use_base=False).probability for p in probes} == before
