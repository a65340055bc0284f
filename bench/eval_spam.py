"""Spam evaluation: train on YouTube files 01-04, report the spam decision on the held-out Shakira file.

The spam decision is the spam check's action under the default policy: held or rejected counts as
"spam". Thresholds were chosen by `--cv` (leave one video out, files 01-04 only), never on Shakira.

    python bench/eval_spam.py              # held-out figures
    python bench/eval_spam.py --cv         # threshold sweep on 01-04 only
    python bench/eval_spam.py --feedback   # 01-02 trained, 03-04 taught by moderators' decisions over HTTP
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

try:
    from bench.common import HELD_OUT, TRAIN_FILES, private_redis, youtube_rows
    from bench.spam_feedback import feedback_run
except ImportError:  # run as a file: python bench/eval_spam.py
    from common import HELD_OUT, TRAIN_FILES, private_redis, youtube_rows  # type: ignore[no-redef]
    from spam_feedback import feedback_run  # type: ignore[no-redef]
from workers.checks import CheckContext
from workers.checks.spam import check_spam
from workers.models import Action, Author, Client, Comment, Status
from workers.policy import Policy
from workers.spam_model import SpamModel


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, predicted_spam: bool, is_spam: bool) -> None:
        if predicted_spam and is_spam:
            self.tp += 1
        elif predicted_spam:
            self.fp += 1
        elif is_spam:
            self.fn += 1
        else:
            self.tn += 1

    def row(self, label: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        fpr = self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0
        return (
            f"{label:<46} precision {precision:6.1%}  recall {recall:6.1%}  false-positive rate {fpr:6.1%}"
            f"   (tp {self.tp}, fp {self.fp}, tn {self.tn}, fn {self.fn})"
        )


def _comment(text: str) -> Comment:
    return Comment("x", "bench", "video", text, Author(), Client(), Status.QUEUED, 0.0)


def evaluate(
    model: SpamModel, site: str, rows: list[tuple[str, str]], policy: Policy
) -> tuple[Tally, Tally, Tally, list[float]]:
    """Tallies for the whole spam check, the classifier alone and the link rule alone; and the scores."""
    whole, classifier, links = Tally(), Tally(), Tally()
    scores = []
    for text, label in rows:
        score = model.score(site, text, policy.spam_min_training)
        verdict = check_spam(_comment(text), policy, CheckContext(body=text, spam=score))
        is_spam = label == "spam"
        whole.add(verdict.action in (Action.HOLD, Action.REJECT), is_spam)
        probability = score.probability if score.probability is not None else 0.0
        scores.append(probability)
        classifier.add(probability >= policy.spam_hold, is_spam)
        links.add("spam.links" in verdict.reasons, is_spam)
    return whole, classifier, links, scores


def cross_validate() -> None:
    """Leave one training video out at a time; sweep the hold threshold. Shakira is not read."""
    thresholds = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999]
    totals = {t: Tally() for t in thresholds}
    with private_redis() as connection:
        model = SpamModel(connection)
        for held in TRAIN_FILES:
            connection.flushdb()
            site = "cv"
            for name in TRAIN_FILES:
                if name != held:
                    model.learn_many(site, youtube_rows(name))
            rows = youtube_rows(held)
            for text, label in rows:
                p = model.score(site, text, 20).probability or 0.0
                for t in thresholds:
                    totals[t].add(p >= t, label == "spam")
    print("leave-one-video-out on files 01-04, classifier alone, by hold threshold:")
    for t in thresholds:
        print(totals[t].row(f"  P(spam) >= {t}"))


def held_out() -> None:
    policy = Policy()
    with private_redis() as connection:
        model = SpamModel(connection)
        train = [row for name in TRAIN_FILES for row in youtube_rows(name)]
        model.learn_many("eval", train)
        rows = youtube_rows(HELD_OUT)
        whole, classifier, links, _ = evaluate(model, "eval", rows, policy)
        trained = model.trained("eval")
    spam = sum(1 for _, label in rows if label == "spam")
    print(f"trained on {len(train)} distinct comments of files 01-04; model counts {trained}")
    print(f"held out: {HELD_OUT}, {len(rows)} distinct comments ({spam} spam, {len(rows) - spam} ham)")
    print(f"policy: spam_hold {policy.spam_hold}, spam_reject {policy.spam_reject}, max_links {policy.max_links}")
    print(whole.row("spam decision (held or rejected)"))
    print(classifier.row("  classifier alone (>= spam_hold)"))
    print(links.row("  link rule alone (>= max_links)"))


def feedback(limit: int | None) -> None:
    """Held-out figures of a model seeded with 01-02, before and after moderators decide 03-04 over HTTP."""
    policy = Policy()
    rows = youtube_rows(HELD_OUT)
    run = feedback_run(lambda model, site: evaluate(model, site, rows, policy)[:2], limit)
    print(f"seeded with files 01-02: model counts {run.trained_before}")
    print(f"files 03-04 over HTTP with premoderation on, by (label, status after the checks): {dict(run.pipeline)}")
    print(f"decided through the moderation API: {dict(run.decided)}; model counts now {run.trained_after}")
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in run.seconds.items()))
    print(f"held out: {HELD_OUT}; policy: spam_hold {policy.spam_hold}, spam_reject {policy.spam_reject}")
    for name, (whole, classifier) in (("before (01-02)", run.before), ("after (01-02 + decisions)", run.after)):
        print(whole.row(f"{name}: spam decision"))
        print(classifier.row(f"{name}: classifier alone"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", action="store_true", help="threshold sweep on files 01-04 only")
    parser.add_argument("--feedback", action="store_true", help="01-02 trained, 03-04 decided by moderators")
    parser.add_argument("--limit", type=int, help="with --feedback: only the first LIMIT comments of 03 and of 04")
    args = parser.parse_args()
    if args.cv:
        cross_validate()
    elif args.feedback:
        feedback(args.limit)
        print("\nfor comparison, files 01-04 trained directly:")
        held_out()
    else:
        held_out()
    return 0


if __name__ == "__main__":
    sys.exit(main())
