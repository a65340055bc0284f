"""Property-based requests from /api/v1/openapi.json: no input answers 5xx, and every answer matches the document."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, NegativeDataRejectionConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from service.api.openapi import document
from service.api.schemas import SITE_ID_PATTERN
from workers.policy import Policy

# Fixed examples and a fixed seed (derandomize): the same requests on every run, so a failure
# repeats and a pass means the same thing each time.
EXAMPLES = 100
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# The document the app serves (test_the_fuzzed_document_is_the_served_one). Loaded from the function,
# not through a fixture: schemathesis's fixture loader reads a pytest internal that pytest 9.2 removed.
schema = schemathesis.openapi.from_dict(document())
# Unknown query parameters are ignored, as HTTP APIs do (cache busters); they are not invalid input.
schema.config.generation.update(allow_extra_parameters=False)
# A generated list past its bound can also pass 1 MiB: refusing it with 413 before reading it is a refusal.
schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
    expected_statuses=[*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]
)


@pytest.fixture
def open_site(rt, site):
    """The test site with name and email optional, so a generated comment without them can be stored."""
    rt.sites.set_policy(site.site_id, Policy(flood_seconds=0, require_name=False, require_email=False))
    return site


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == document()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_answers_5xx_or_strays_from_the_document(case, app, auth, open_site):
    if re.fullmatch(SITE_ID_PATTERN, str(case.path_parameters.get("site_id", ""))):
        # A well-formed site id becomes the real site, so requests reach past the site lookup into
        # validation; a malformed one is kept, as the negative input it is.
        case.path_parameters["site_id"] = open_site.site_id
    case.call_and_validate(app=app, headers=auth, checks=CHECKS)
