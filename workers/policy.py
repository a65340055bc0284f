"""A site's moderation policy: every field, its default and its bounds (docs/policy.md explains each)."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import core_schema
from typing_extensions import TypeAliasType

from .models import Action
from .profanity import Tier

log = logging.getLogger("commentgate.policy")

# Bounds: a policy is read for every comment on workers shared by every site, so none of it may
# grow without limit. Key lists are matched by one automaton (workers/key_matcher.py); the whole
# policy must also fit in one request (1 MiB).
KEYS_MAX = 10_000  # per key list: 33 ms for a 64 KB comment, compile included (bench/bench_keys.py)
KEY_LENGTH_MAX = 100
# Extra words and tier moves add to the site's own word list, compiled again by each forked job:
# 200 + 200 words of 50 characters compile in 75 ms (1,000 + 1,000 took 330 ms; the default list 26 ms).
WORDS_MAX = 200
ALLOWED_WORDS_MAX = 1000  # allowed words only take words out; the default list has 916
WORD_LENGTH_MAX = 50
THREADS_MAX = 10_000
THREAD_ID_LENGTH_MAX = 500  # as a comment's thread_id
DUPLICATE_SECONDS_MAX = 365 * 86400  # a window in Redis (SET EX); past a year it means "for ever"
SPAM_MIN_TRAINING_MAX = 1_000_000
# Reports are counted as they arrive (one counter per report): the bound is a sanity check on the policy.
REPORT_HOLD_THRESHOLD_MAX = 1000

# Keys and words are printable text: a control character in one is a paste error, refused with a 400.
NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]*$"
Key = Annotated[str, StringConstraints(max_length=KEY_LENGTH_MAX, pattern=NO_CONTROLS)]
Word = Annotated[str, StringConstraints(max_length=WORD_LENGTH_MAX, pattern=NO_CONTROLS)]
ThreadId = Annotated[str, StringConstraints(max_length=THREAD_ID_LENGTH_MAX)]


def _published_as(title: str, enum: type[StrEnum]) -> GetPydanticSchema:
    """The checks' own enum, validated as itself, with the bare schema the API document gives it as `title`."""
    schema = {"enum": [member.value for member in enum], "title": title, "type": "string"}
    return GetPydanticSchema(
        lambda _type, _handler: core_schema.enum_schema(enum, list(enum), sub_type="str"),
        lambda _core, _handler: schema,
    )


# One Action and one Tier (workers/models.py, workers/profanity); the alias names their schema in the document.
ProfanityAction = TypeAliasType("ProfanityAction", Annotated[Action, _published_as("ProfanityAction", Action)])
ProfanityTier = TypeAliasType("ProfanityTier", Annotated[Tier, _published_as("ProfanityTier", Tier)])


class Policy(BaseModel):
    """The whole policy of one site. PUT replaces it; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    max_links: int = Field(2, ge=0, le=1000, description="Hold a comment with this many links or more; 0 = off.")
    disallowed_keys: list[Key] = Field(
        default_factory=list,
        max_length=KEYS_MAX,
        description="Whole words or phrases that reject a comment (name, email, url, body, IP).",
    )
    moderation_keys: list[Key] = Field(
        default_factory=list,
        max_length=KEYS_MAX,
        description="Whole words or phrases that hold a comment for a moderator.",
    )
    # Chosen by leave-one-video-out on YouTube 01-04 (docs/spam-model.md): hold at the lowest threshold with at most
    # 1% false positives, base alone and blended (the base model alone held 74.0% of spam at 0.27%; with the
    # site's counts, 80.2% at 0.82%); reject where no ham scored (50.0% of spam, with the site's counts holding it
    # too). The base model alone never rejects. `bench/eval_spam.py --cv` prints the sweep.
    spam_hold: float = Field(0.94, ge=0, le=1, description="Hold when the spam model's probability is at least this.")
    spam_reject: float = Field(
        0.999,
        ge=0,
        le=1,
        description="Reject when the spam model's probability is at least this and the site's own counts took part.",
    )
    spam_base_model: bool = Field(
        True,
        description="Score with the base model that ships with commentgate, blended with what the site has learned;"
        " false = the site's own counts only.",
    )
    spam_min_training: int = Field(
        20,
        ge=1,
        le=SPAM_MIN_TRAINING_MAX,
        description="The site's own spam counts take part once they have learned this many comments of each class.",
    )
    profanity_action: ProfanityAction = Field(
        Action.HOLD, description="What severe profanity does: hold, reject, censor or pass."
    )
    profanity_mild_action: ProfanityAction = Field(
        Action.PASS, description="What mild profanity does; evidence only by default."
    )
    profanity_extra_words: list[Word] = Field(
        default_factory=list, max_length=WORDS_MAX, description="More words treated as severe profanity for this site."
    )
    profanity_allowed_words: list[Word] = Field(
        default_factory=list,
        max_length=ALLOWED_WORDS_MAX,
        description="Words never treated as profanity for this site.",
    )
    profanity_tiers: dict[Word, ProfanityTier] = Field(
        default_factory=dict,
        max_length=WORDS_MAX,
        description="Listed words this site moves to another tier (severe, mild, context).",
    )
    flood_seconds: int = Field(
        15,
        ge=0,
        le=86400,
        description="Refuse (429) a second comment from one IP or email within this many seconds; 0 = off.",
    )
    submit_burst: int = Field(
        200,
        ge=0,
        le=100_000,
        description="The site's token bucket: this many comments at once, then submit_rate_per_second (429); 0 = off.",
    )
    submit_rate_per_second: float = Field(
        5.0, ge=0.01, le=10_000, description="The bucket refills at this many comments a second (at least 0.01)."
    )
    max_queued_comments: int = Field(
        1000, ge=0, le=1_000_000, description="Refuse (503) a comment while this many of the site's wait; 0 = off."
    )
    duplicate_seconds: int = Field(
        86400,
        ge=0,
        le=DUPLICATE_SECONDS_MAX,
        description="Reject the same body from the same author in the same thread within this window.",
    )
    premoderation: bool = Field(False, description="Hold every comment for a moderator.")
    new_commenter_premoderation: int = Field(
        0, ge=0, le=1000, description="Hold each author's first N comments; 0 = off."
    )
    trust_approved_authors: bool = Field(
        False, description="An author with an approved comment skips premoderation (never spam or profanity)."
    )
    require_name: bool = Field(True, description="The author's name is required (WordPress's default).")
    require_email: bool = Field(True, description="The author's email is required (WordPress's default).")
    report_hold_threshold: int = Field(
        3,
        ge=0,
        le=REPORT_HOLD_THRESHOLD_MAX,
        description="Hold a published comment once this many distinct readers have reported it; 0 = never.",
    )
    closed_threads: list[ThreadId] = Field(
        default_factory=list,
        max_length=THREADS_MAX,
        description="Thread ids that take no new comments; a late comment is rejected.",
    )

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Policy:
        if self.spam_reject < self.spam_hold:
            raise ValueError("spam_reject must be at least spam_hold")
        return self


def _valid(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _within_bounds(name: str, value: Any) -> Any:
    """A stored list or mapping cut to its valid items, at most its bound; None for any other value."""
    field = Policy.model_fields[name]
    bound = next((m.max_length for m in field.metadata if hasattr(m, "max_length")), None)
    if isinstance(value, list):
        item = TypeAdapter(get_args(field.annotation)[0])
        return [v for v in value if _valid(item, v)][:bound]
    if isinstance(value, dict):
        word, tier = (TypeAdapter(t) for t in get_args(field.annotation))
        return dict([(k, v) for k, v in value.items() if _valid(word, k) and _valid(tier, v)][:bound])
    return None


def stored_policy(raw: str | None) -> Policy:
    """A policy read back from Redis. One saved before a bound existed is brought within it, so the
    site keeps working: a list keeps its first valid items up to the bound, another field its default.
    One saved before the base spam model existed keeps it off."""
    data = json.loads(raw or "{}")
    if raw and "spam_base_model" not in data:
        # Saved before the base model existed: the site scores as it did until it turns the base model on.
        data["spam_base_model"] = False
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        failing = {str(e["loc"][0]) for e in exc.errors() if e["loc"] and str(e["loc"][0]) in Policy.model_fields}
    log.warning("stored policy past its bounds in %s; read within them until it is replaced", sorted(failing))
    for name in failing:
        kept = _within_bounds(name, data[name])
        if kept is None:
            del data[name]
        else:
            data[name] = kept
    return Policy.model_validate(data)
