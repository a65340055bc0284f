"""The spam evaluation's own pieces: the prose it reads, and the rule that picks the reference's threshold."""

from __future__ import annotations

from bench.spam_measures import lowest_threshold, tally_at
from bench.spam_prose import davidson_neither, wiki_clean


def test_the_prose_sets_are_every_clean_wiki_comment_and_every_neither_tweet_cleaned_as_the_service_sees_them():
    wiki, tweets = wiki_clean(), davidson_neither()

    assert len(wiki) == 1_244  # the wiki sample's toxic == "False" rows (its SOURCE.md); none is empty
    assert len(tweets) == 4_163  # Davidson's class 2, "neither"
    assert wiki[0].startswith("Is this original work") and not wiki[0].endswith(" ")
    # The first tweet's "&amp;" arrives as "&", as a site's HTML-escaped form would reach the service.
    assert tweets[0].startswith("!!! RT @mayasolovely:") and " & as a man " in tweets[0]
    assert not any("&amp;" in tweet for tweet in tweets)


def test_the_threshold_is_the_lowest_score_whose_false_positive_rate_is_within_the_cap():
    scored = [(n / 100, False) for n in range(200)] + [(0.5, True), (1.5, True), (3.0, True)]

    threshold = lowest_threshold(scored, max_fpr=0.01)  # 2 of the 200 ham may reach it

    assert threshold == 1.98
    assert tally_at(scored, threshold).fp == 2 and tally_at(scored, threshold).tp == 1
    assert tally_at(scored, 1.97).fpr > 0.01  # the next score down lets a third ham through
