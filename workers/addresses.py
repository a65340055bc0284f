"""IPv6 addresses that stand for an IPv4 address: the reader behind a translator is that IPv4 reader,
and a webhook to one reaches that IPv4 host, so both are judged by the IPv4 address inside."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address

NAT64 = IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix: the last 32 bits are the IPv4 host
# RFC 8215's local-use prefix: the operator's own translators, leading into its own IPv4 network.
NAT64_LOCAL_USE = IPv6Network("64:ff9b:1::/48")
IPV4_COMPATIBLE = IPv6Network("::/96")  # ::a.b.c.d (deprecated, still accepted by some stacks)
SITE_LOCAL = IPv6Network("fec0::/10")  # deprecated, yet still routed inside some networks


def translated_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 (/96) or IPv4-compatible IPv6 address stands for, else None."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    # :: and ::1 are the unspecified and loopback addresses, not IPv4-compatible ones.
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def reachable_ipv4s(address: IPv6Address) -> list[IPv4Address]:
    """Every IPv4 address a packet to this IPv6 address may be delivered through or to."""
    found = [translated_ipv4(address), address.sixtofour]
    if address.teredo is not None:
        found.extend(address.teredo)  # the relay server and the client behind it
    return [ipv4 for ipv4 in found if ipv4 is not None]


def is_public(text: str) -> bool:
    """Whether an address (an IPv6 one with its zone, if any) and every IPv4 address inside it are global."""
    address = ip_address(text.split("%", 1)[0])
    if isinstance(address, IPv6Address):
        if address in SITE_LOCAL or address in NAT64_LOCAL_USE:
            return False
        if not all(ipv4.is_global for ipv4 in reachable_ipv4s(address)):
            return False
    return address.is_global
