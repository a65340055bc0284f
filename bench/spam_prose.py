"""Ordinary prose that is not spam and not YouTube: what the spam check does to it with the base model alone.

The build never reads them: the clean comments of the Wikipedia talk test sample (held out), and the tweets
Davidson et al.'s annotators called "neither" hate nor offensive (not held out; they helped choose how the
base model reads links, docs/spam-model.md).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field

try:
    from bench.common import DATA
except ImportError:  # run as a file
    from common import DATA  # type: ignore[no-redef]
from workers.checks import CheckContext
from workers.checks.spam import check_spam
from workers.models import Action, Author, Client, Comment, Status
from workers.policy import Policy
from workers.spam_model import SpamModel
from workers.training import clean_text

WIKI = DATA / "wiki-toxicity" / "toxicity_nonfuzzed_testset.csv"
DAVIDSON = DATA / "davidson-hate-offensive" / "labeled_data.csv"
EXAMPLES = 3  # flagged texts shown per set


def _texts(path: str, text_column: str, keep: tuple[str, str]) -> list[str]:
    column, value = keep
    with open(path, newline="", encoding="utf-8") as f:
        cleaned = (clean_text(row[text_column]) for row in csv.DictReader(f) if row[column] == value)
        return [text for text in cleaned if text]


def wiki_clean() -> list[str]:
    """The Wikipedia talk comments rated not toxic, cleaned as the service would see them."""
    return _texts(str(WIKI), "comment", ("toxic", "False"))


def davidson_neither() -> list[str]:
    """The tweets rated neither hate speech nor offensive (class 2), cleaned."""
    return _texts(str(DAVIDSON), "tweet", ("class", "2"))


@dataclass
class ProseFlags:
    """How many texts of a set the spam check held or rejected, and why."""

    name: str
    total: int = 0
    held: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # reason code -> flagged texts
    drivers: Counter[str] = field(default_factory=Counter)  # the model's strongest feature -> flagged texts
    examples: list[str] = field(default_factory=list)
    linked: int = 0  # texts with a link (one is enough for the model; the link rule needs max_links)
    linked_flagged: int = 0

    @property
    def flagged(self) -> int:
        return self.held + self.rejected

    def by_link(self) -> str:
        """Flagged among the texts with a link and among those without."""
        plain, plain_flagged = self.total - self.linked, self.flagged - self.linked_flagged
        return (
            f"with a link {self.linked_flagged} of {self.linked:,} ({_share(self.linked_flagged, self.linked)}), "
            f"without {plain_flagged} of {plain:,} ({_share(plain_flagged, plain)})"
        )

    def row(self) -> str:
        flagged, by_model = _share(self.flagged, self.total), _share(self.reasons["spam.classifier"], self.total)
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common())
        return (
            f"{self.name:<28} {self.total:6,} {self.held:5} {self.rejected:5} {flagged:>8} {by_model:>9}"
            f"   {reasons or '-'}"
        )


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.2%}" if whole else "-"


def _why(driver: dict[str, float | str]) -> str:
    """The model's strongest feature in a moderator's words (a link is named by its host)."""
    return str(driver.get("words") or driver.get("token", ""))


# "by model": flagged with spam.classifier among the reasons (the link rule and the keys need no model).
PROSE_HEADER = f"{'':<28} {'texts':>6} {'held':>5} {'rej.':>5} {'flagged':>8} {'by model':>9}   reasons that fired"


def flag_prose(model: SpamModel, site_id: str, name: str, texts: list[str], policy: Policy) -> ProseFlags:
    """Run the spam check over `texts` as comments of a site whose own counts are empty (the base model alone)."""
    result = ProseFlags(name)
    for text in texts:
        score = model.score(site_id, text, policy.spam_min_training, use_base=policy.spam_base_model)
        comment = Comment("x", site_id, "prose", text, Author(), Client(), Status.QUEUED, 0.0)
        verdict = check_spam(comment, policy, CheckContext(body=text, spam=score))
        result.total += 1
        has_link = bool(verdict.details["links"])
        result.linked += has_link
        if verdict.action is Action.PASS:
            continue
        result.linked_flagged += has_link
        result.held += verdict.action is Action.HOLD
        result.rejected += verdict.action is Action.REJECT
        result.reasons.update(verdict.reasons)
        if score.drivers:
            result.drivers[_why(score.drivers[0])] += 1
        if len(result.examples) < EXAMPLES:
            result.examples.append(text)
    return result
