"""Spam evaluation on the held-out Shakira file: one table of the spam decision, and ordinary prose.

"Spam" is the spam check's decision under the default policy: held or rejected. The policy's thresholds
were chosen by `--cv` (leave one video out, files 01-04 only), never on Shakira.

    python bench/eval_spam.py              # the table (without the moderators' row) and ordinary prose
    python bench/eval_spam.py --feedback   # adds the moderators' row: 01-02 learned, 03-04 decided over HTTP
    python bench/eval_spam.py --cv         # the threshold sweep on 01-04 only
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

try:
    from bench.common import HELD_OUT, TRAIN_FILES, private_redis, youtube_rows
    from bench.spam_cv import print_sweep
    from bench.spam_feedback import feedback_run
    from bench.spam_measures import HEADER, Tally
    from bench.spam_prose import PROSE_HEADER, ProseFlags, davidson_neither, flag_prose, wiki_clean
    from bench.spam_reference import ANALYZER, MAX_FPR, reference
except ImportError:  # run as a file: python bench/eval_spam.py
    from common import HELD_OUT, TRAIN_FILES, private_redis, youtube_rows  # type: ignore[no-redef]
    from spam_cv import print_sweep  # type: ignore[no-redef]
    from spam_feedback import feedback_run  # type: ignore[no-redef]
    from spam_measures import HEADER, Tally  # type: ignore[no-redef]
    from spam_prose import PROSE_HEADER, ProseFlags, davidson_neither, flag_prose, wiki_clean  # type: ignore[no-redef]
    from spam_reference import ANALYZER, MAX_FPR, reference  # type: ignore[no-redef]
from workers.checks import CheckContext
from workers.checks.spam import check_spam
from workers.models import Action, Author, Client, Comment, Status
from workers.policy import Policy
from workers.spam_model import SpamModel


def _comment(text: str) -> Comment:
    return Comment("x", "bench", "video", text, Author(), Client(), Status.QUEUED, 0.0)


def evaluate(model: SpamModel, site: str, rows: list[tuple[str, str]], policy: Policy) -> Tally:
    """The spam check's decision (held or rejected) against the labels, scored as the pipeline scores."""
    tally = Tally()
    for text, label in rows:
        score = model.score(site, text, policy.spam_min_training, use_base=policy.spam_base_model)
        verdict = check_spam(_comment(text), policy, CheckContext(body=text, spam=score))
        tally.add(verdict.action in (Action.HOLD, Action.REJECT), label == "spam")
    return tally


def print_feedback(limit: int | None, rows: list[tuple[str, str]], policy: Policy) -> Tally:
    """The moderators' run (a live stack), its details printed; returns its held-out tally after the decisions."""
    run = feedback_run(lambda model, site: evaluate(model, site, rows, policy), limit)
    print(f"moderators' feedback: seeded with files 01-02, model counts {run.trained_before}")
    print(f"  files 03-04 over HTTP, premoderation on, by (label, status after the checks): {dict(run.pipeline)}")
    print(f"  decided through the moderation API: {dict(run.decided)}; model counts now {run.trained_after}")
    print("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in run.seconds.items()))
    print(run.before.row("  held out, before the decisions (01-02 + base)"))
    print()
    return run.after


def print_prose(results: list[ProseFlags]) -> None:
    print("\nordinary prose, base model alone (a new site), default policy: held or rejected by the spam check")
    print(PROSE_HEADER)
    for result in results:
        print(result.row())
    for result in results:
        print(f"\n{result.name}: flagged {result.by_link()}")
        print("  the model's strongest feature in each flagged text (texts, feature):")
        for driver, n in result.drivers.most_common(6):
            print(f"  {n:7}  {driver}")
        for text in result.examples:
            print(f"  e.g. {text[:110]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", action="store_true", help="threshold sweep on files 01-04 only")
    parser.add_argument("--feedback", action="store_true", help="add the moderators' row (starts web and workers)")
    parser.add_argument("--limit", type=int, help="with --feedback: only the first LIMIT comments of 03 and of 04")
    args = parser.parse_args()
    if args.cv:
        print_sweep()
        return 0
    started = time.monotonic()
    policy, base_off = Policy(), Policy(spam_base_model=False)
    rows = youtube_rows(HELD_OUT)
    taught = print_feedback(args.limit, rows, policy) if args.feedback else None
    train = [row for name in TRAIN_FILES for row in youtube_rows(name)]
    with private_redis() as connection:
        model = SpamModel(connection)
        model.learn_many("trained", train)
        table = [
            ("base model alone (a new site: nothing learned)", evaluate(model, "new", rows, policy)),
            ("trained on 01-04 (site counts blended with the base)", evaluate(model, "trained", rows, policy)),
            ("moderators' feedback (01-02 + decisions on 03-04)", taught),
            ("base model off, trained on 01-04 (site counts only)", evaluate(model, "trained", rows, base_off)),
        ]
        prose = [
            flag_prose(model, "new", "Wikipedia talk, not toxic", wiki_clean(), policy),
            flag_prose(model, "new", "Davidson tweets, neither", davidson_neither(), policy),
        ]
    svm = reference(rows)
    table += [
        (f"reference: LinearSVC, {ANALYZER} 2-5-gram TF-IDF, at {svm.threshold:.3f}", svm.chosen),
        ("reference: the same at its default threshold 0", svm.at_zero),
    ]

    spam = sum(1 for _, label in rows if label == "spam")
    print(f"held out: {HELD_OUT}, {len(rows)} distinct comments ({spam} spam, {len(rows) - spam} ham)")
    print(
        f"trained on files 01-04: {len(train)} distinct comments; default policy: spam_hold {policy.spam_hold}, "
        f"spam_reject {policy.spam_reject}, max_links {policy.max_links}"
    )
    print(f"reference threshold: lowest with pooled out-of-fold FPR <= {MAX_FPR:.0%}, leave-one-video-out on 01-04")
    print(HEADER)
    for label, tally in table:
        print(tally.row(label) if tally else f"{label:<58} (run with --feedback)")
    print_prose(prose)
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{platform.python_version()}; {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
