"""IPv6 addresses that carry an IPv4 address (NAT64, IPv4-compatible, 6to4, Teredo, IPv4-mapped):
a webhook to one reaches that IPv4 address, and a reader behind one is that IPv4 reader."""

from __future__ import annotations

import pytest

from workers.exceptions import UnsafeWebhookUrl
from workers.identity import normalize_ip
from workers.webhooks import check_webhook_url

# (address, what it reaches): each one leads inside the network or off the public Internet.
NON_PUBLIC = [
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("64:ff9b::a00:1", "NAT64 (RFC 6052 /96) to 10.0.0.1"),
    ("64:ff9b::7f00:1", "NAT64 to 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 to 169.254.169.254, the cloud metadata address"),
    ("64:ff9b:1::a00:1", "local-use NAT64 (RFC 8215 /48): the operator's own translator"),
    ("64:ff9b:1:ffff::808:808", "local-use NAT64, whatever the address inside"),
    ("2002:7f00:1::1", "6to4 through 127.0.0.1"),
    ("2002:a00:1::1", "6to4 through 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo to client 10.0.0.1"),
    ("::127.0.0.1", "IPv4-compatible 127.0.0.1"),
    ("::10.0.0.1", "IPv4-compatible 10.0.0.1"),
    ("fec0::1", "site-local (deprecated, still routed inside some networks)"),
    ("fec0:1:2::3", "site-local"),
]

PUBLIC = [
    "64:ff9b::808:808",  # NAT64 to 8.8.8.8
    "2002:808:808::1",  # 6to4 through 8.8.8.8
    "2606:4700:4700::1111",
    "8.8.8.8",
]


@pytest.mark.parametrize(("address", "reaches"), NON_PUBLIC)
def test_a_webhook_to_an_ipv6_address_carrying_a_non_public_ipv4_is_refused(address, reaches):
    with pytest.raises(UnsafeWebhookUrl) as refused:
        check_webhook_url(f"http://[{address}]:8080/hook", allow_private=False)
    assert "non-public address" in str(refused.value), reaches
    check_webhook_url(f"http://[{address}]:8080/hook", allow_private=True)  # the operator may allow it


@pytest.mark.parametrize("address", PUBLIC)
def test_a_webhook_to_a_public_address_is_accepted(address):
    host = f"[{address}]" if ":" in address else address
    target = check_webhook_url(f"http://{host}:8080/hook", allow_private=False)
    assert target.addresses == (address,)


@pytest.mark.parametrize(
    ("address", "author"),
    [
        ("64:ff9b::cb00:7109", "203.0.113.9"),  # NAT64 (RFC 6052 /96)
        ("64:ff9b::203.0.113.10", "203.0.113.10"),
        ("::203.0.113.9", "203.0.113.9"),  # IPv4-compatible
        ("::ffff:203.0.113.9", "203.0.113.9"),  # IPv4-mapped, as before
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),  # a native IPv6 subscriber: the /64, as before
        ("::1", "::/64"),  # loopback is not an IPv4 address
    ],
)
def test_an_ipv6_address_carrying_an_ipv4_reader_is_that_reader(address, author):
    assert normalize_ip(address) == author


def test_two_readers_behind_one_nat64_are_two_authors_and_one_reader_is_one(post, rt, site, connection):
    rt.sites.set_policy(site.site_id, rt.sites.policy(site.site_id).model_copy(update={"flood_seconds": 60}))
    assert post("from the first reader", client={"ip": "64:ff9b::cb00:7109"}).status_code == 202
    # Another IPv4 reader through the same translator (same /64) is not held back by the first one's flood window.
    assert post("from a second reader", client={"ip": "64:ff9b::cb00:710a"}).status_code == 202
    # The first reader again, by its plain IPv4 address: the same author, inside its window.
    refused = post("the first reader again", client={"ip": "203.0.113.9"})
    assert refused.status_code == 429
    assert refused.get_json()["type"].endswith("/flood")
