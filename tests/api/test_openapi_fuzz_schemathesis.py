"""Property-based requests generated from the OpenAPI schema (schemathesis): never a 5xx, always as documented.

The app runs against a real Anvil chain (so no endpoint has a reason to answer 5xx), with one key
per role; every generated request goes out once per role header and once without a key, so both
the authorised path (validation, domain errors) and the refused path are exercised.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from api_harness import make_keys
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from greenproof.api import ApiSettings, create_app
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 8


@pytest.mark.chain
def test_no_server_error_and_documented_responses(tmp_path: Path, anvil: Anvil, fresh_chain: ChainClient) -> None:
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
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: schemathesis.Case) -> None:
            for header in headers:
                case.call_and_validate(headers=header, checks=CHECKS)

        fuzz()
