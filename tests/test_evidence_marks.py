"""The body with its evidence marked where the checks found it, from comments the real pipeline decided."""

from __future__ import annotations

from tests.helpers.api import decided_comment
from workers.evidence_marks import evidence_marks
from workers.policy import Policy


def marked(rt, post, work, client, auth, body, **fields):
    resource = decided_comment(post, work, client, auth, body=body, **fields)
    comment = rt.comments.get(resource["id"])
    return comment, evidence_marks(comment)


def test_profanity_keys_and_links_are_marked_at_their_words(rt, site, post, work, client, auth):
    policy = Policy(flood_seconds=0, moderation_keys=["viagra"], disallowed_keys=["casino"], max_links=5)
    rt.sites.set_policy(site.site_id, policy)
    body = "You fucking liar. Cheap viagra at https://pills.example today"
    _, text = marked(rt, post, work, client, auth, body)
    assert "".join(part for part, _ in text.segments) == body
    shown = [(part, mark.kind, mark.label) for part, mark in text.segments if mark]
    assert shown == [
        ("fucking", "profanity", "Severe profanity: fucking"),
        ("viagra", "moderation_key", "Word held for review: viagra"),
        ("https://pills.example", "link", "Link"),
    ]
    assert text.summary is None and text.matches == 3


def test_marks_stay_on_their_words_when_bidi_controls_were_stripped(rt, site, post, work, client, auth):
    body = "\u202eWhat a \u2066shit\u2069 take"
    _, text = marked(rt, post, work, client, auth, body)
    assert "".join(part for part, _ in text.segments) == "What a shit take"
    assert [part for part, mark in text.segments if mark] == ["shit"]


def test_markup_in_a_body_stays_text_in_its_segments(rt, site, post, work, client, auth):
    body = "<script>alert(1)</script> fuck <img src=x onerror=alert(2)>"
    _, text = marked(rt, post, work, client, auth, body)
    assert "".join(part for part, _ in text.segments) == body
    assert [part for part, mark in text.segments if mark] == ["fuck"]


def test_thousands_of_matches_come_with_a_summary_not_a_wall(rt, site, post, work, client, auth):
    body = "fuck " * 1204 + "and some words"
    _, text = marked(rt, post, work, client, auth, body)
    highlighted = [part for part, mark in text.segments if mark]
    assert 0 < len(highlighted) <= 50
    assert text.matches == 1204
    assert text.summary == f"1,204 profanity matches (fuck); the first {len(highlighted)} highlighted"


def test_a_clean_comment_is_one_unmarked_segment(rt, site, post, work, client, auth):
    _, text = marked(rt, post, work, client, auth, "A thoughtful remark about the budget.")
    assert text.segments == [("A thoughtful remark about the budget.", None)]
    assert (text.summary, text.matches) == (None, 0)
