"""The pipeline as a site sees it: submit, let a real RQ worker decide, read the comment back."""

from __future__ import annotations

import pytest

from workers.policy import Policy
from workers.spam_model import SpamModel


@pytest.fixture
def decided(post, client, auth, work):
    """Submit a comment, run the worker, return the comment resource."""

    def run(body: str, **fields):
        response = post(body, **fields)
        assert response.status_code == 202, response.get_json()
        work()
        return client.get(response.headers["Location"], headers=auth).get_json()

    return run


def evidence_of(resource, check):
    return next(e for e in resource["evidence"] if e["check"] == check)


def set_policy(rt, site, **fields):
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, **fields))


def test_a_clean_comment_is_published_with_every_checks_evidence(decided, client, site):
    resource = decided("I enjoyed this article about rural broadband.")
    assert resource["status"] == "published"
    assert resource["reasons"] == []
    assert [e["check"] for e in resource["evidence"]] == [
        "validation", "author", "duplicate", "spam", "profanity", "policy"
    ]  # fmt: skip
    assert resource["decided_at"] is not None
    listing = client.get(
        f"/api/v1/sites/{site.site_id}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments"
    ).get_json()
    assert [i["id"] for i in listing["items"]] == [resource["id"]]


def test_links_at_the_limit_are_held_with_the_links_as_evidence(decided):
    resource = decided("The minutes are at https://a.example/x and www.b.example for anyone curious.")
    assert resource["status"] == "held"
    assert resource["reasons"] == ["spam.links"]
    links = evidence_of(resource, "spam")["details"]["links"]
    assert [link["url"] for link in links] == ["https://a.example/x", "www.b.example"]
    assert links[0]["start"] == 19


def test_disallowed_keys_reject_whole_words_only(decided, rt, site):
    set_policy(rt, site, disallowed_keys=["press", "casino"])
    assert decided("I run WordPress and like the free press.")["status"] == "rejected"
    resource = decided("I run WordPress on my blog.")
    assert resource["status"] == "published"
    rejected = decided("Best CASINO bonus")
    assert rejected["reasons"] == ["spam.disallowed_key"]
    assert evidence_of(rejected, "spam")["details"]["disallowed_keys"][0]["key"] == "CASINO"


def test_disallowed_keys_respect_unicode_word_boundaries(decided, rt, site):
    set_policy(rt, site, disallowed_keys=["über"])
    assert decided("Das ist über alles")["status"] == "rejected"
    assert decided("Daseinsüberfluss ist ein Wort")["status"] == "published"


def test_moderation_keys_hold(decided, rt, site):
    set_policy(rt, site, moderation_keys=["lawsuit"])
    resource = decided("There will be a lawsuit.")
    assert resource["status"] == "held" and resource["reasons"] == ["spam.moderation_key"]


def test_a_filled_honeypot_is_rejected(decided):
    resource = decided("Looks innocent", honeypot="http://bot.example")
    assert resource["status"] == "rejected" and resource["reasons"] == ["spam.honeypot"]


def test_severe_profanity_is_held_with_offsets(decided):
    body = "This is fucking absurd."
    resource = decided(body)
    assert resource["status"] == "held"
    assert resource["reasons"] == ["profanity.severe"]
    match = evidence_of(resource, "profanity")["details"]["matches"][0]
    assert body[match["start"] : match["end"]] == "fucking"


def test_mild_and_context_words_publish(decided):
    assert decided("Damn, what a mess the council made.")["status"] == "published"
    resource = decided("The court ruled on gay marriage and sex trafficking; a kill switch was added.")
    assert resource["status"] == "published"


def test_censor_publishes_with_masked_words_and_true_offsets(decided, rt, site, client):
    set_policy(rt, site, profanity_action="censor")
    resource = decided("What a shit decision.")
    assert resource["status"] == "published"
    listing = client.get(
        f"/api/v1/sites/{site.site_id}/threads/2025%2F07%2Fchina-proposes-global-ai-body/comments"
    ).get_json()
    assert listing["items"][0]["body"] == "What a **** decision."


def test_site_extra_and_allowed_words(decided, rt, site):
    set_policy(rt, site, profanity_extra_words=["frak"], profanity_allowed_words=["shit"])
    assert decided("Frak this.")["status"] == "held"
    assert decided("Holy shit, that's news.")["status"] == "published"


def test_bidi_overrides_are_stripped_and_noted(decided, rt):
    resource = decided("Safe \u202etext\u202c here")
    assert resource["status"] == "published"
    assert evidence_of(resource, "validation")["details"]["bidi_controls_removed"] == 2
    assert rt.comments.get(resource["id"]).published_body == "Safe text here"


def test_a_body_of_invisible_characters_is_rejected_as_empty(decided):
    resource = decided("\u200b\u200d \u0301\u0301")
    assert resource["status"] == "rejected" and resource["reasons"] == ["invalid.empty"]


def test_closed_threads_reject(decided, rt, site):
    set_policy(rt, site, closed_threads=["old-story"])
    resource = decided("Late to the party", thread_id="old-story")
    assert resource["status"] == "rejected" and resource["reasons"] == ["invalid.thread_closed"]


def test_a_reply_to_a_held_parent_is_held(decided, post, work, client, auth):
    parent = decided("Click https://x.example and https://y.example")
    assert parent["status"] == "held"
    reply = decided("I agree", parent_id=parent["id"])
    assert reply["status"] == "held" and reply["reasons"] == ["invalid.parent_unpublished"]


def test_duplicates_are_rejected(decided):
    same = {"author": {"name": "Ada", "email": "ada@example.org"}, "client": {"ip": "203.0.113.77"}}
    assert decided("First!", **same)["status"] == "published"
    again = decided("  first! ", **same)
    assert again["status"] == "rejected" and again["reasons"] == ["spam.duplicate"]
    other_author = {"author": {"name": "Bo", "email": "bo@example.org"}}
    assert decided("First!", **other_author)["status"] == "published"


def test_banned_authors_are_rejected(decided, rt, site, connection):
    connection.sadd(rt.keys.banned(site.site_id), "email:troll@example.org", "ip:198.51.100.66")
    by_email = decided("hello", author={"name": "T", "email": "Troll@Example.org"})
    assert by_email["status"] == "rejected" and by_email["reasons"] == ["author.banned"]
    by_ip = decided("hello again", client={"ip": "198.51.100.66"})
    assert by_ip["status"] == "rejected"


def test_premoderation_holds_everything_but_trusted_authors(decided, rt, site, connection):
    set_policy(rt, site, premoderation=True)
    resource = decided("Perfectly fine")
    assert resource["status"] == "held" and resource["reasons"] == ["policy.premoderation"]
    connection.sadd(rt.keys.trusted(site.site_id), "email:vip@example.org")
    assert decided("Also fine", author={"name": "V", "email": "vip@example.org"})["status"] == "published"


def test_trust_never_skips_profanity(decided, rt, site, connection):
    connection.sadd(rt.keys.trusted(site.site_id), "email:vip@example.org")
    assert decided("fuck this", author={"name": "V", "email": "vip@example.org"})["status"] == "held"


def test_new_commenters_are_held_for_their_first_comments(decided, rt, site):
    set_policy(rt, site, new_commenter_premoderation=2)
    me = {"author": {"name": "New", "email": "new@example.org"}}
    assert decided("one", **me)["reasons"] == ["policy.new_commenter"]
    assert decided("two", **me)["reasons"] == ["policy.new_commenter"]
    assert decided("three", **me)["status"] == "published"


def test_previously_approved_authors_skip_premoderation_when_the_site_says_so(decided, rt, site):
    me = {"author": {"name": "Reg", "email": "reg@example.org"}}
    assert decided("before premoderation", **me)["status"] == "published"
    set_policy(rt, site, premoderation=True, trust_approved_authors=True)
    assert decided("after premoderation", **me)["status"] == "published"
    assert decided("a stranger", author={"name": "S", "email": "s@example.org"})["status"] == "held"


def test_untrained_spam_model_abstains_with_the_base_model_off(decided, rt, site):
    set_policy(rt, site, spam_base_model=False)
    resource = decided("cheap pills buy now")
    spam = evidence_of(resource, "spam")
    assert spam["score"] is None and spam["details"]["model"]["abstained"] is True


def test_trained_spam_model_scores_and_explains(decided, rt, site):
    model = SpamModel(rt.connection, rt.keys)
    spam = [f"subscribe to my channel for free gift cards {i}" for i in range(30)]
    ham = [f"the minister's plan for schools seems reasonable {i}" for i in range(30)]
    model.learn_many(site.site_id, [(t, "spam") for t in spam] + [(t, "ham") for t in ham])
    resource = decided("Subscribe to my channel, free gift cards!")
    verdict = evidence_of(resource, "spam")
    assert resource["status"] in ("held", "rejected") and "spam.classifier" in resource["reasons"]
    assert verdict["score"] > 0.9
    assert {t["token"] for t in verdict["details"]["model"]["tokens"]} & {"subscribe", "channel", "gift"}
    assert decided("The schools plan from the minister is reasonable.")["status"] == "published"


def test_a_decision_is_recorded_once_with_one_audit_entry_and_one_event(post, work, rt, site):
    comment_id = post("Hello there").get_json()["id"]
    work()
    rt.queues.enqueue_moderation(comment_id, job_id="moderate-again")  # a duplicate delivery of the job
    work()
    assert [a["to"] for a in rt.comments.audit(comment_id)] == ["published"]
    events = rt.comments.events_after(site.site_id, None, 100)
    assert [e["comment"]["id"] for _, e in events] == [comment_id]
