"""Firm codes as the park stores them: upper case (``GH2``), whatever case a user typed.

Every door reads a firm code through :func:`canonical_firm_code`: the CLI's arguments and
``--firm`` options, the HTTP API's ``{firm_code}`` paths and ``firm`` queries, the API keys.
"""

from __future__ import annotations

from collections.abc import Collection

from greenproof.grids.binhai_registry import FIRMS

from .errors import NotFoundError

__all__ = ["PARK_FIRM_CODES", "canonical_firm_code", "park_firm_code"]

#: Codes of the park's firms (:data:`greenproof.grids.binhai_registry.FIRMS`), in the model's order.
PARK_FIRM_CODES: tuple[str, ...] = tuple(firm.code for firm in FIRMS)


def canonical_firm_code(text: str) -> str:
    """Return ``text`` as a stored firm code: surrounding blanks dropped, upper case (``" gh2"`` → ``"GH2"``)."""
    return text.strip().upper()


def park_firm_code(text: str, known: Collection[str] = PARK_FIRM_CODES) -> str:
    """Return the canonical code of one of the park's firms.

    Raises
    ------
    NotFoundError
        If the code names none of ``known`` (the message lists them).
    """
    code = canonical_firm_code(text)
    if code not in known:
        raise NotFoundError(f"firm {text!r} is not one of the park's firms: {', '.join(known)}")
    return code
