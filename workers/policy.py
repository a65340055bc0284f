"""A site's moderation policy: every field, its default and its bounds (docs/policy.md explains each)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ProfanityTier(StrEnum):
    SEVERE = "severe"
    MILD = "mild"
    CONTEXT = "context"


class ProfanityAction(StrEnum):
    PASS = "pass"
    CENSOR = "censor"
    HOLD = "hold"
    REJECT = "reject"


class Policy(BaseModel):
    """The whole policy of one site. PUT replaces it; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_links: int = Field(2, ge=0, le=1000, description="Hold a comment with this many links or more; 0 = off.")
    disallowed_keys: list[str] = Field(
        default_factory=list, description="Whole words or phrases that reject a comment (name, email, url, body, IP)."
    )
    moderation_keys: list[str] = Field(
        default_factory=list, description="Whole words or phrases that hold a comment for a moderator."
    )
    spam_hold: float = Field(0.90, ge=0, le=1, description="Hold when the spam model's probability is at least this.")
    spam_reject: float = Field(
        0.999, ge=0, le=1, description="Reject when the spam model's probability is at least this."
    )
    spam_min_training: int = Field(
        20, ge=1, description="The spam model abstains until it has learned this many comments of each class."
    )
    profanity_action: ProfanityAction = Field(
        ProfanityAction.HOLD, description="What severe profanity does: hold, reject, censor or pass."
    )
    profanity_mild_action: ProfanityAction = Field(
        ProfanityAction.PASS, description="What mild profanity does; evidence only by default."
    )
    profanity_extra_words: list[str] = Field(
        default_factory=list, description="More words treated as severe profanity for this site."
    )
    profanity_allowed_words: list[str] = Field(
        default_factory=list, description="Words never treated as profanity for this site."
    )
    profanity_tiers: dict[str, ProfanityTier] = Field(
        default_factory=dict, description="Listed words this site moves to another tier (severe, mild, context)."
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
        5.0, gt=0, le=10_000, description="The bucket refills at this many comments a second."
    )
    max_queued_comments: int = Field(
        1000, ge=0, le=1_000_000, description="Refuse (503) a comment while this many of the site's wait; 0 = off."
    )
    duplicate_seconds: int = Field(
        86400, ge=0, description="Reject the same body from the same author in the same thread within this window."
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
    closed_threads: list[str] = Field(
        default_factory=list, description="Thread ids that take no new comments; a late comment is rejected."
    )

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Policy:
        if self.spam_reject < self.spam_hold:
            raise ValueError("spam_reject must be at least spam_hold")
        return self
