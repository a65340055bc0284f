"""Who wrote a comment: the one normalization of emails, IPs and names that flood control, bans,
trust and an author's history all use, so a variant of an address is the same author everywhere."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from .addresses import translated_ipv4

# Gmail ignores dots in the local part and serves both domains from one mailbox.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
IPV6_PREFIX = 64  # one subscriber (a home, a phone) is given a whole /64, and picks addresses in it freely


def normalize_email(email: str) -> str:
    """Lower-cased, without a `+tag`, and for Gmail without dots and on one domain; '' for none."""
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return email
    # `a+news@x` reaches `a@x` at Gmail, Outlook, iCloud, Fastmail, Proton and most servers.
    untagged = local.split("+", 1)[0]
    local = untagged or local
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", "") or local, "gmail.com"
    return f"{local}@{domain}"


def normalize_ip(ip: str) -> str:
    """An IPv4 address as is; an IPv6 address as its /64, or as the IPv4 reader it translates; '' for none."""
    ip = ip.strip()
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip  # the edge validates addresses; keep anything else comparable as written
    if isinstance(address, ipaddress.IPv6Address):
        # Behind NAT64 or SIIT every IPv4 reader shares one /64: each is its own IPv4 address instead.
        if (ipv4 := translated_ipv4(address)) is not None:
            return str(ipv4)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def normalize_name(name: str) -> str:
    """Lower-cased, with runs of whitespace as one space."""
    return " ".join(name.split()).lower()


def author_key(email: str = "", ip: str = "") -> str:
    """`email:…` when there is an email, else `ip:…`, else '' (no identity: no history, no trust)."""
    if normalized := normalize_email(email):
        return f"email:{normalized}"
    if normalized := normalize_ip(ip):
        return f"ip:{normalized}"
    return ""


NORMALIZERS = {"email": normalize_email, "ip": normalize_ip, "name": normalize_name}


def identity_entry(kind: str, value: str) -> str:
    """`kind:value` normalized, as ban lists and flood windows store it; '' when the value is empty."""
    normalized = NORMALIZERS[kind](value)
    return f"{kind}:{normalized}" if normalized else ""


def ban_keys(email: str, ip: str, name: str) -> list[str]:
    """Every ban-list entry that catches this author: normalized, plus the exact forms bans were once
    stored in (lower-cased email, IP as written), so a ban set before normalization still holds."""
    keys = [identity_entry("email", email), identity_entry("ip", ip), identity_entry("name", name)]
    legacy = [
        f"email:{email.strip().lower()}" if email.strip() else "",
        f"ip:{ip}" if ip else "",
        f"name:{name.strip().lower()}" if name.strip() else "",
    ]
    return list(dict.fromkeys(k for k in keys + legacy if k))


def author_id(secret: bytes, site_id: str, key: str) -> str:
    """The pseudonymous id of an author key on a site ('' for none): what audit entries and queue filters carry.

    A keyed hash, so the log names no e-mail or IP and the id cannot be recomputed from a guessed
    address without the deployment's secret; erasing an author's data leaves the log as it is.
    """
    if not key:
        return ""
    return "a_" + hmac.new(secret, f"{site_id}\x1f{key}".encode(), hashlib.sha256).hexdigest()[:24]
