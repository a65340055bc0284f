"""Spam signals a moderator understands: contact channels written out, the author's URL, shouting, repetition.

Pure functions over the comment's text. Contact channels are found with `re` alone, not the
`phonenumbers` library: it is 48 MB, and with no region it finds only "+" numbers, while with
region US it matches view counts such as "2.124.821.694 views".

How often each detector fires (`bench/signal_rates.py`) is in docs/policy.md, *Signals*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import LINK, link_host

SIGNAL_PREFIX = "__signal__:"  # a signal kind as the base spam model names its feature
KINDS = ("phone", "email", "messenger", "handle", "wallet", "author_url", "shouting", "repetition")
SIGNAL_WORDS: dict[str, str] = {
    "phone": "asks readers to contact a phone number",
    "email": "gives an e-mail address to write to",
    "messenger": "points readers to a messenger account (WhatsApp, Telegram, …)",
    "handle": "plugs a social-media handle",
    "wallet": "gives a crypto wallet address",
    "author_url": "the author left a website link",
    "shouting": "written mostly in capitals",
    "repetition": "repeats characters, punctuation or words",
}


@dataclass(frozen=True)
class Signal:
    """One signal: its kind, the text that showed it and where (-1, -1 for the whole comment)."""

    kind: str
    text: str
    start: int
    end: int


# --- phone -------------------------------------------------------------------------------------
# A run of digit groups, each separated by one space, a dash, or a dot or comma between digits (parens
# around a group), not starting inside a word, a decimal, a price or a date. Possessive, so a run is
# taken whole and in linear time; one that touches a letter, "%", a time or a date at its end is
# dropped, or only its last space-separated group is.
PHONE_RUN = re.compile(
    r"(?<![\w%.,/:$€£¥#+-])(?:\+ ?)?(?:\(\d++\) ?-? ?)?\d++"  # "+44 ", "(415) ", the first group
    r"(?:(?: ?- ?|[.,]| )(?:\(\d++\) ?)?\d++)*+"  # the next groups
)
TOUCHING = re.compile(r"[\w%]|[:/]\d")
AFTER_DIGITS = re.compile(r"\d[ .,()/:-]?$")  # a run that starts right after another number is part of it
CONTACT_WORDS = re.compile(
    r"(?i)\b(?:call|calls|calling|text|txt|sms|phone|tel|mobile|mob|cell|whats ?app|viber|telegram|contact"
    r"|dial|ring|hotline|helpline|number)\b"
)
CONTACT_WINDOW = 30  # characters before a number searched for a contact word
ISBN = re.compile(r"(?i)\bisbn(?:-1[03])?\W*$")
THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[ .,]\d{3})+")  # 2,124,923,004 / 1.234.567.890 / 331 002 651
YEARS = re.compile(r"(?:(?:19|20)\d\d\W+)+(?:19|20)\d\d")  # 2019 2020 2021
DATE = re.compile(r"(?:19|20)\d\d-[01]\d-[0-3]\d|[0-3]?\d-[01]?\d-(?:19|20)\d\d")


def _is_phone(raw: str, cue: bool) -> bool:
    """9-15 digits in at most 6 groups, not a count, years or a date, with a sign it is to be dialled.

    `cue`: a contact word ("call", "WhatsApp", …) comes just before it.
    """
    groups = re.findall(r"\d+", raw)
    if not 9 <= sum(map(len, groups)) <= 15 or len(groups) > 6:
        return False
    # Groups of one digit are scores, lists or ISBN parts; a country code ("+1 415…", "1-800-…") and "(0)" are not.
    country_code = raw.startswith("+") or (groups[0] == "1" and len(groups) == 4)
    for i, group in enumerate(groups):
        if len(group) < 2 and not (i == 0 and country_code) and f"({group})" not in raw:
            return False
    if THOUSANDS.fullmatch(raw) and (re.search(r"[.,]", raw) or not cue):
        return False  # a count: "2,124,923,004 views"; spaced thousands only with a contact word before
    if YEARS.fullmatch(raw) or DATE.search(raw):
        return False
    grouped = len(groups) > 1 and not re.search(r"[.,]", raw)  # written to be read out: 020 7946 0958
    return raw.startswith("+") or grouped or cue


def _phones(text: str) -> list[Signal]:
    found = []
    for m in PHONE_RUN.finditer(text):
        raw, before = m.group(0), text[max(0, m.start() - CONTACT_WINDOW) : m.start()]
        if AFTER_DIGITS.search(before) or ISBN.search(before):
            continue
        cue = bool(CONTACT_WORDS.search(before))
        # The run without its last space-separated group: "call 0801 234 5678 2 times", "… 0958 24/7".
        shorter = raw[: max(raw.rfind(" "), 0)].rstrip(" -")
        candidates = [shorter] if TOUCHING.match(text, m.end()) else [raw, shorter]
        phone = next((c for c in candidates if c and _is_phone(c, cue)), None)
        if phone:
            found.append(Signal("phone", phone, m.start(), m.start() + len(phone)))
    return found


# --- e-mail ------------------------------------------------------------------------------------
AT = r"(?:@|\s?[\[(]\s?at\s?[\])]\s?|\s@\s)"
DOT = r"(?:\.|\s?[\[(]\s?dot\s?[\])]\s?)"
EMAIL = re.compile(rf"(?i)(?<![\w.+-])[\w+-](?:[\w.+-]*\w)?{AT}[a-z0-9-]+(?:{DOT}[a-z0-9-]+)*{DOT}[a-z]{{2,24}}\b")

# --- messenger ---------------------------------------------------------------------------------
# Apps whose names are also ordinary words ("the signal", "line of defence", "snap", "IG report")
# count only with an "@handle", or ":" / "id" before a number or a handle-looking name.
APP = r"(?P<app>whats ?app|telegram|kik|snap ?chat|skype|viber|wechat|instagram|insta|(?P<plain>signal|line|snap|ig))"
JOINT = r"(?P<joint>(?: +(?:me|id|number|no\.?|handle|username|user|name)(?: +is)?)?(?: +(?:at|on) +| *[:=-] *| +))"
TARGET = (
    r"(?P<target>@[A-Za-z_][\w.]*\w"  # @cryptoking
    r"|\+?\d[\d ()-]{6,}\d"  # a number
    r"|(?P<name>[A-Za-z][\w.]{1,30}\w))(?![\w@])"  # jenny_22, lola99; a plain word only after ':'
)
MESSENGER = re.compile(rf"(?i)\b{APP}\b{JOINT}{TARGET}")
WORD_AFTER = re.compile(r" +[A-Za-z]")


def _messengers(text: str) -> list[Signal]:
    found = []
    for m in MESSENGER.finditer(text):
        target, name = m.group("target"), m.group("name")
        explicit = bool(re.search(r"(?i)[:=]|\b(?:id|handle|username|user|name)\b", m.group("joint")))
        if target.startswith("@"):
            plug = True
        elif name is None:  # a number, read as a phone number after a contact word
            plug = (explicit or not m.group("plain")) and _is_phone(target, cue=True)
        elif any(c.isdigit() or c == "_" for c in name):  # "kik me lola99", "Line ID: jenny22"
            plug = explicit or not m.group("plain")
        else:  # "snapchat: jenny" ends a sentence; "Instagram account", "Telegram: the app that…" are prose
            plug = explicit and not m.group("plain") and not WORD_AFTER.match(text, m.end())
        if plug:
            found.append(Signal("messenger", m.group(0), m.start(), m.end()))
    return found


# --- handle, wallet ----------------------------------------------------------------------------
# A reader's reply ("@Dave you're wrong") is a handle too: a weak signal, which the model weighs per site.
HANDLE = re.compile(r"(?<![\w.@+-])@[A-Za-z_](?:\w|\.(?=\w)){2,29}(?!\w)")
WALLET = re.compile(
    r"\b(?:0x[0-9a-fA-F]{40}"  # Ethereum
    r"|[13][1-9A-HJ-NP-Za-km-z]{25,34}"  # Bitcoin base58 (no 0, O, I, l)
    r"|bc1[ac-hj-np-z02-9]{25,87}|BC1[AC-HJ-NP-Z02-9]{25,87})\b"  # Bitcoin bech32, one case
)


def _wallets(text: str) -> list[Signal]:
    found = []
    for m in WALLET.finditer(text):
        value = m.group(0)
        # A base58 address mixes upper case, lower case and digits; a long word or number does not.
        if value[0] in "13" and not (
            any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value[1:])
        ):
            continue
        found.append(Signal("wallet", value, m.start(), m.end()))
    return found


def blank_links(text: str) -> str:
    """The text with each link replaced by as many spaces, so offsets stay true and URL digits never count."""
    return LINK.sub(lambda m: " " * len(m.group(0)), text)


def contact_channels(text: str) -> list[Signal]:
    """Phone numbers, e-mail addresses, messenger accounts, @handles and wallets written in `text`, in order."""
    plain = blank_links(text)
    emails = [Signal("email", m.group(0), m.start(), m.end()) for m in EMAIL.finditer(plain)]
    # An @handle inside an e-mail address or a messenger mention is that address or mention.
    taken = [(s.start, s.end) for s in emails]
    messengers = [s for s in _messengers(plain) if not any(a <= s.start < b for a, b in taken)]
    taken += [(s.start, s.end) for s in messengers]
    handles = [
        Signal("handle", m.group(0), m.start(), m.end())
        for m in HANDLE.finditer(plain)
        if not any(a <= m.start() < b for a, b in taken)
    ]
    phones = [s for s in _phones(plain) if not any(a <= s.start < b for a, b in taken)]
    found = phones + emails + messengers + handles + _wallets(plain)
    return sorted(found, key=lambda s: (s.start, KINDS.index(s.kind)))


# --- style -------------------------------------------------------------------------------------
SHOUTING_MIN_LETTERS = 8
SHOUTING_SHARE = 0.6  # of cased letters in capitals; see docs/policy.md for the rates measured
REPEATED_LETTER = re.compile(r"(?i)([^\W\d_])\1{3,}")  # sooooo
# "!!!", "?!?", "$$$$"; not runs of dots (how many readers write an ellipsis), nor rules drawn with - _ = ~,
# nor a censored word's asterisks ("f***").
REPEATED_PUNCTUATION = re.compile(r"[!?]{3,}|([^\w\s.*_=~-])\1{3,}")
REPEATED_WORDS_MIN = 6
REPEATED_WORDS_SHARE = 0.5  # distinct words / all words below this


def style_signals(text: str) -> list[Signal]:
    """Shouting and repetition over the whole comment (links aside), at most one of each."""
    plain = blank_links(text)
    found = []
    cased = [c for c in plain if c.isupper() or c.islower()]
    if len(cased) >= SHOUTING_MIN_LETTERS and sum(c.isupper() for c in cased) > SHOUTING_SHARE * len(cased):
        found.append(Signal("shouting", "", -1, -1))
    words = re.findall(r"[^\W_]+", plain.casefold())
    repeats_words = len(words) >= REPEATED_WORDS_MIN and len(set(words)) < REPEATED_WORDS_SHARE * len(words)
    if REPEATED_LETTER.search(plain) or REPEATED_PUNCTUATION.search(plain) or repeats_words:
        found.append(Signal("repetition", "", -1, -1))
    return found


def author_url_signal(author_url: str) -> list[Signal]:
    """The author's URL field as a signal, named by its host."""
    url = author_url.strip()
    if not url:
        return []
    return [Signal("author_url", link_host(url) or url, -1, -1)]


def signals(text: str, author_url: str = "") -> list[Signal]:
    """Every signal of a comment: contact channels in order, then the author's URL, shouting and repetition."""
    return contact_channels(text) + author_url_signal(author_url) + style_signals(text)


def signal_tokens(found: list[Signal]) -> list[str]:
    """Distinct SIGNAL_PREFIX + kind tokens for the spam model, in KINDS order."""
    kinds = {s.kind for s in found}
    return [SIGNAL_PREFIX + kind for kind in KINDS if kind in kinds]
