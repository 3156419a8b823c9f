"""One-sentence summaries of pydantic validation errors, for messages that name the input at fault."""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["validation_summary"]


def validation_summary(error: ValidationError, most: int = 3) -> str:
    """Return the first ``most`` problems of ``error`` as ``field.path: message`` joined by ``;``.

    A document that is not JSON at all (garbage, a truncated file) gives pydantic's one
    ``Invalid JSON: …`` problem, without a field path.
    """
    problems = [f"{'.'.join(map(str, item['loc']))}: {item['msg']}" if item["loc"] else str(item["msg"])
                for item in error.errors()]
    more = f" (and {len(problems) - most} more)" if len(problems) > most else ""
    return "; ".join(problems[:most]) + more
