"""Reason codes in words a person understands."""

from __future__ import annotations

from .models import ReportReason

# Every code the checks, the pipeline, readers' reports and moderators record.
WORDS = {
    "invalid.empty": "Empty comment",
    "invalid.thread_closed": "Thread closed to comments",
    "invalid.parent_unpublished": "Reply to a comment that is not published",
    "author.banned": "Author is banned",
    "spam.links": "Too many links",
    "spam.disallowed_key": "Contains a disallowed word or address",
    "spam.moderation_key": "Contains a word or address the site holds for review",
    "spam.classifier": "Looks like spam to the spam filter",
    "spam.duplicate": "Duplicate of a recent comment",
    "spam.honeypot": "Filled in a field only robots see",
    "profanity.severe": "Severe profanity",
    "profanity.mild": "Mild profanity",
    "policy.premoderation": "Every comment is reviewed first on this site",
    "policy.new_commenter": "New commenter: first comments are reviewed",
    "pipeline_error": "The automatic checks failed: needs a person",
    "reports.threshold": "Reported by several readers",
    "reports.dismissed": "Readers' reports dismissed by a moderator",
    "moderator.approved": "Approved by a moderator",
    "moderator.restored": "Restored by a moderator",
    "moderator.spam": "Marked as spam by a moderator",
}
REASON_WORDS = {
    ReportReason.SPAM: "spam",
    ReportReason.ABUSE: "abuse",
    ReportReason.OFF_TOPIC: "off topic",
    ReportReason.PERSONAL_INFO: "personal information",
    ReportReason.OTHER: "other reason",
}


def report_reason_words(reason: str) -> str:
    """A reader's (or a moderator's) reason as words: "off_topic" -> "off topic"."""
    try:
        return REASON_WORDS[ReportReason(reason)]
    except ValueError:
        return reason


def reason_words(code: str) -> str:
    """A reason code as words ("profanity.severe" -> "Severe profanity"); an unknown code as itself."""
    if code in WORDS:
        return WORDS[code]
    if code.startswith("moderator.") and code.removeprefix("moderator.") in REASON_WORDS:
        return f"Rejected by a moderator: {report_reason_words(code.removeprefix('moderator.'))}"
    return code
