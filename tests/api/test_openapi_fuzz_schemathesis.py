"""Property-based requests generated from the OpenAPI schema (schemathesis): every check it ships, 0 failures.

The app runs against a real Anvil chain (so no endpoint has a reason to answer 5xx), with one key
per role; every generated request goes out once per role header and once without a key, so both
the authorised path (validation, domain errors) and the refused path are exercised. Requests are
generated both schema-valid (positive) and schema-violating (negative).

Every check schemathesis ships runs (status codes, content types, response schemas and headers,
negative data rejected, missing headers, methods, ...) but one, replaced by a stricter reading of
it: ``positive_data_acceptance`` wants every schema-valid request accepted, while a schema cannot
state the rules that tie fields together or to stored data (end after start, a registered plant,
exactly one of ``energy_wh`` and ``energy_mwh``, 15-minute grid). :func:`schema_valid_passes_validation`
lets such a request be refused only by a domain rule (a problem whose ``type`` names a domain
error, with status 409 or 422), never by request validation (``RequestValidationError``) or as a
malformed body (400): what the schema allows, validation accepts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_harness import make_keys
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from greenproof.api import ApiSettings, create_app
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

EXAMPLES_PER_OPERATION = 8
#: Problem types of requests refused by request validation, not by a domain rule.
VALIDATION_PROBLEMS = {"urn:greenproof:problem:RequestValidationError", "about:blank"}


class SchemaValidRequestRejected(AssertionError):
    """A request the schema allows was refused by request validation."""


def schema_valid_passes_validation(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """A positive (schema-valid) case is never refused as malformed or invalid; domain rules may refuse it."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code not in (400, 413, 422):
        return None
    problem_type = response.json().get("type") if response.status_code != 413 else "about:blank"
    if response.status_code != 422 or problem_type in VALIDATION_PROBLEMS:
        raise SchemaValidRequestRejected(f"{case.operation.label}: schema-valid request refused with "
                                         f"{response.status_code} {problem_type}: {response.text[:300]}")
    return None


@pytest.mark.chain
def test_every_check_passes_on_the_whole_schema(tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> None:
    config = ApiSettings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_file=tmp_path / "keys.json",
                         chain_rpc_url=anvil.rpc_url, contract_address=fresh_chain.address,
                         issuer_key=anvil.private_keys[0], public_rate_limit="100000/minute",
                         public_verify_rate_limit="100000/minute")
    keys = make_keys(config.key_file)
    headers = [keys.of(role) for role in ("operator", "firm", "auditor", "exporter", None)]
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(config))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def fuzz(case: schemathesis.Case) -> None:
                for header in headers:
                    case.call_and_validate(headers=header, excluded_checks=[positive_data_acceptance],
                                           additional_checks=[schema_valid_passes_validation])

            try:
                fuzz()
            except Unsatisfiable:  # an operation without parameters or body has no invalid request to make
                assert mode is GenerationMode.NEGATIVE and not operation.body and not list(
                    operation.iter_parameters()), operation.label
