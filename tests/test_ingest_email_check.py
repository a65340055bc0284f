"""The quick check for plain e-mail addresses accepts and normalizes exactly as email_validator does."""

from __future__ import annotations

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from service.api.schemas import _email, _plain_email

# Characters near the pattern's edges: what it takes, what email_validator takes besides, and neither.
LOCAL_CHARS = "aZ09_+-.!#$%&'*/=?^`{|}~\"é "
DOMAIN_CHARS = "aZ09-._é"
ENDINGS = ("org", "ORG", "co.uk", "x", "1", "a1", "test", "local", "localhost", "invalid", "onion", "arpa", "example")


def validators_answer(address: str) -> str | None:
    """email_validator's normalized address, or None when it refuses it."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _word(rng: random.Random, chars: str, lengths: tuple[int, ...]) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.choice(lengths)))


def _mutated(rng: random.Random, text: str, chars: str) -> str:
    """Now and then one character of `chars` put somewhere in the text."""
    if rng.random() < 0.3:
        at = rng.randint(0, len(text))
        return text[:at] + rng.choice(chars) + text[at:]
    return text


def addresses(count: int, seed: int) -> list[str]:
    """Plain-looking addresses, a share of them with one odd character or an odd length."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = [_word(rng, "aZ09_+-", (1, 3, 8, 21, 30)) for _ in range(rng.randint(1, 3))]
        local = _mutated(rng, ".".join(words), LOCAL_CHARS)
        labels = [_word(rng, "aZ09-", (1, 2, 7, 62, 63, 64)) for _ in range(rng.randint(0, 2))]
        domain = _mutated(rng, ".".join([*labels, rng.choice(ENDINGS)]), DOMAIN_CHARS)
        out.append(f"{local}@{domain}")
    return out


EDGES = [
    "Ada@Example.ORG",
    "a.b+c_d-e@mail.example.co.uk",
    "a..b@example.org",
    ".a@example.org",
    "a.@example.org",
    "a@example.org.",
    "a@.example.org",
    "a@-example.org",
    "a@example-.org",
    "a@ab--cd.org",
    "a@xn--bcher-kva.example",
    "a@example.c0m",
    "a@example.123",
    "a@example",
    "a@localhost",
    "a@mail.test",
    "a@x.local",
    "a@site.onion",
    "a@1.0.0.127.in-addr.arpa",
    "a@" + "b" * 63 + ".org",
    "a@" + "b" * 64 + ".org",
    "x" * 64 + "@example.org",
    "x" * 65 + "@example.org",
    "a@" + ".".join(["b" * 63] * 4) + ".org",
    '"quoted"@example.org',
    "a@[192.0.2.1]",
    "ü@example.org",
    "a@bücher.example",
    "a b@example.org",
]


@pytest.mark.parametrize("address", EDGES)
def test_an_edge_case_is_answered_as_email_validator_answers_it(address):
    quick = _plain_email(address)
    assert quick is None or quick == validators_answer(address)


def test_thousands_of_generated_addresses_are_answered_as_email_validator_answers_them():
    taken = 0
    for address in addresses(20_000, seed=11):
        quick = _plain_email(address)
        if quick is not None:
            taken += 1
            assert quick == validators_answer(address), address
    assert taken > 1000  # the quick check did take a good share of them


def test_the_field_check_refuses_what_email_validator_refuses_with_its_reason():
    with pytest.raises(ValueError, match=r"is not a valid email address \(.*period.*\)"):
        _email("reader@example")
    assert _email("Reader@Mail.Example.ORG") == "Reader@mail.example.org"
