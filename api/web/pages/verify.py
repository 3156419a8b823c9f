"""Public verification of a provenance record against the chain (no account needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ...http.deps import SessionDep, StateDep
from ...usecases.errors import ProvenanceRecordError
from ...usecases.provenance import load_record
from ...usecases.provenance_verify import MAX_RECORD_BYTES, verify_record
from ...usecases.schemas import ProvenanceRecord, SubmittedRecord
from ..page_params import Hash32
from ..render import PageRoute, render
from ..session import optional_caller

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

@router.get("/ui/verify", response_class=HTMLResponse)
def public_verify_form(request: Request) -> Response:
    """Render the public verify form: paste or upload a provenance record (no account needed)."""
    return render(request, "verify.html", caller=optional_caller(request))


def _verification_page(request: Request, state: StateDep, record: ProvenanceRecord) -> Response:
    result = verify_record(record, state.chain.client())
    return render(request, "verify.html", caller=optional_caller(request), record=record, result=result,
                  status_code=200 if result.valid else 422)


@router.post("/ui/verify", response_class=HTMLResponse)
def public_verify_submitted(
    request: Request, state: StateDep, record_json: Annotated[str, Form(max_length=MAX_RECORD_BYTES)] = "",
    record_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Verify a pasted or uploaded record against the chain; a tampered record is rejected with its reasons."""
    text = record_json
    if record_file is not None and record_file.filename:
        data = record_file.file.read(MAX_RECORD_BYTES + 1)
        if len(data) > MAX_RECORD_BYTES:
            raise ProvenanceRecordError(f"file {record_file.filename!r} is larger than {MAX_RECORD_BYTES} bytes")
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise ProvenanceRecordError("paste a provenance record (JSON) or choose its file")
    try:
        record = SubmittedRecord.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ProvenanceRecordError(f"the record is not a greenproof provenance record: "
                                    f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
    return _verification_page(request, state, record)


@router.get("/ui/verify/{claim_ref}", response_class=HTMLResponse)
def public_verify_issued(request: Request, session: SessionDep, state: StateDep, claim_ref: Hash32) -> Response:
    """Verify an issued record by its claim reference (the QR code's target)."""
    return _verification_page(request, state, load_record(session, claim_ref.lower()))
