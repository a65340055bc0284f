"""Profanity: a stretched word is read as the same listed word in every process."""

from __future__ import annotations

import os
import subprocess
import sys

STRETCHED = ["shittt", "faaaaggggottttt", "SHITTTTTTT"]
# Python salts string hashes per process; these seeds order the word list differently.
SEEDS = ["0", "1", "4", "5"]


def _words_in_a_process(seed: str) -> str:
    code = (
        "from workers.profanity import matcher_for; "
        f"print([m.word for t in {STRETCHED!r} for m in matcher_for().find(t)])"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_a_stretched_word_is_the_same_listed_word_in_every_worker():
    # Each token stretches two listed words ("shit" and "shitt", "faggot" and "fagot"); the one named
    # in the evidence must not depend on the worker process that happened to read the comment.
    answers = {seed: _words_in_a_process(seed) for seed in SEEDS}
    assert len(set(answers.values())) == 1, answers
    # The closest: the listed word with the fewest letters stretched.
    assert answers[SEEDS[0]].strip() == "['shitt', 'faggot', 'shitt']"
