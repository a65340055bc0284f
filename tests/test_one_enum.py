"""The policy speaks the checks' own Action and Tier; the API document names them as it always has."""

from __future__ import annotations

from workers.models import Action
from workers.policy import Policy
from workers.profanity import Tier


def test_a_policy_holds_the_checks_own_action_and_tier(rt, site, client, auth):
    stored = {"profanity_action": "censor", "profanity_mild_action": "hold", "profanity_tiers": {"darn": "mild"}}
    answer = client.put(f"/api/v1/sites/{site.site_id}/policy", json=stored, headers=auth)
    assert answer.status_code == 200
    assert {k: answer.get_json()[k] for k in stored} == stored  # the JSON a site sends and reads back

    policy = rt.sites.policy(site.site_id)
    assert policy.profanity_action is Action.CENSOR
    assert policy.profanity_mild_action is Action.HOLD
    assert policy.profanity_tiers == {"darn": Tier.MILD}
    assert Policy().profanity_action is Action.HOLD


def test_the_api_document_names_the_policy_enums_as_before(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["ProfanityAction"] == {
        "enum": ["pass", "censor", "hold", "reject"],
        "title": "ProfanityAction",
        "type": "string",
    }
    assert schemas["ProfanityTier"] == {
        "enum": ["severe", "mild", "context"],
        "title": "ProfanityTier",
        "type": "string",
    }
    assert "Action" not in schemas and "Tier" not in schemas
    policy = schemas["Policy"]["properties"]
    assert policy["profanity_action"]["$ref"] == "#/components/schemas/ProfanityAction"
    tier_refs = [v["$ref"] for v in policy["profanity_tiers"]["patternProperties"].values()]
    assert tier_refs == ["#/components/schemas/ProfanityTier"]
