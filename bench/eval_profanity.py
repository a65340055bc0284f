"""Profanity evaluation: better-profanity beside our matcher (default tiers, additions on).

    python bench/eval_profanity.py

- Detection on toxic-spans: Profane/Obscene character runs marked by two or more raters (raw/).
  A span counts as detected when the matcher flags the span's own words (any tier): both
  matchers are measured the same way. For ours, also: a match in the whole post overlaps the span,
  and the share of our matches in those posts that fall inside a rated span. Posts of
  tsd_test.csv are reported on their own line and were never used for choices.
- Recall on Davidson's offensive (1) and hate (0) classes: the tweet is flagged (any tier).
- Default hold rate: comments held by the profanity check under the default policy (severe
  words; better-profanity holds whatever it flags), on wiki-toxicity comments labeled not toxic
  (held out) and on YouTube ham.
- Speed per comment on the wiki comments, both in this process.
"""

from __future__ import annotations

import time

try:
    from bench import profanity_data as data
except ImportError:  # run as a file
    import profanity_data as data  # type: ignore[no-redef]

from workers.profanity import Matcher, Tier, matcher_for


def _word_span(text: str, start: int, end: int) -> str:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end]


def spans_row(label: str, posts: list[data.RatedPost], ours: Matcher) -> str:
    span_texts = [_word_span(p.text, s, e) for p in posts for s, e in p.spans]
    reference = data.reference_verdicts(span_texts)
    ref_hits = sum(reference[t] for t in span_texts)
    our_hits = sum(bool(ours.find(t)) for t in span_texts)
    in_post, inside, total = 0, 0, 0
    for p in posts:
        matches = ours.find(p.text)
        total += len(matches)
        inside += sum(any(s <= m.start and m.end <= e for s, e in p.spans) for m in matches)
        in_post += sum(any(m.start < e and m.end > s for m in matches) for s, e in p.spans)
    n = len(span_texts)
    return (
        f"{label:<44} {ref_hits / n:7.1%} {our_hits / n:7.1%}   in the post {in_post / n:6.1%};"
        f" our offsets inside a rated span {inside / max(total, 1):6.1%}  ({n} spans, {len(posts)} posts)"
    )


def rate_row(label: str, texts: list[str], ours: Matcher, held_only: bool) -> str:
    reference = data.reference_verdicts(texts)
    ref = sum(reference[t] for t in texts) / len(texts)
    if held_only:
        flagged = sum(any(m.tier is Tier.SEVERE for m in ours.find(t)) for t in texts)
    else:
        flagged = sum(bool(ours.find(t)) for t in texts)
    return f"{label:<44} {ref:7.1%} {flagged / len(texts):7.1%}   ({len(texts)} texts)"


def main() -> None:
    ours = matcher_for()
    posts = data.toxic_spans_profane()
    tweets = data.davidson()
    ham = [t for _, t, spam in data.youtube() if not spam]
    wiki = data.wiki_not_toxic()
    print(f"{'':<44} {'better-':>7} {'ours':>7}")
    print(f"{'':<44} {'profan.':>7}")
    print("detection recall (any tier)")
    print(spans_row("  toxic-spans Profane/Obscene, 2+ raters", [p for p in posts if not p.in_test_split], ours))
    print(spans_row("  … posts of tsd_test.csv (held out)", [p for p in posts if p.in_test_split], ours))
    print(rate_row("  Davidson offensive (class 1)", [t for t, c in tweets if c == 1], ours, held_only=False))
    print(rate_row("  Davidson hate (class 0)", [t for t, c in tweets if c == 0], ours, held_only=False))
    print("default hold rate (lower is better)")
    print(rate_row("  wiki-toxicity, labeled not toxic (held out)", wiki, ours, held_only=True))
    print(rate_row("  YouTube ham (all five files)", ham, ours, held_only=True))
    print(rate_row("  Davidson neither (class 2)", [t for t, c in tweets if c == 2], ours, held_only=True))

    from better_profanity import Profanity

    reference = Profanity()
    sample = wiki[:300]
    t = time.perf_counter()
    for text in sample:
        reference.contains_profanity(text)
    ref_time = (time.perf_counter() - t) / len(sample)
    t = time.perf_counter()
    for text in sample:
        ours.find(text)
    our_time = (time.perf_counter() - t) / len(sample)
    print(
        f"speed per comment (300 wiki comments)          {ref_time * 1e3:6.1f} ms {our_time * 1e6:6.0f} µs"
        f"   ({ref_time / our_time:.0f}x)"
    )


if __name__ == "__main__":
    main()
