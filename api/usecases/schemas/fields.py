"""Field types of what callers send: strict JSON numbers, plain text, codes, hashes and addresses.

Every type documents in its JSON schema exactly what it accepts, so the OpenAPI schema and the
validation agree:

- :data:`JsonInt`, :data:`JsonNumber`, :data:`JsonBool` take JSON numbers and booleans as they are:
  ``false`` is not the integer 0 and ``"12"`` is not a number (``7.0`` is the integer 7, as JSON
  Schema's ``integer`` has it);
- :data:`PlainText` refuses the characters of :data:`REFUSED_TEXT` — C0 and C1 controls (NUL, TAB,
  CR, LF, ...), DEL, the line and paragraph separators and the bidirectional embedding, override
  and isolate controls (U+202A–U+202E, U+2066–U+2069), which reorder how an id or a product name is
  displayed; the error names the character;
- :data:`Code` is a plant or firm code, :data:`Hex32` a ``0x`` + 64-hex hash, :data:`Address` an
  EVM address, :data:`UnixSeconds` a time of the supported years in UNIX seconds.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator, Field, Strict

from ..periods import FIRST_YEAR, LAST_YEAR

__all__ = [
    "CODE_PATTERN",
    "HEX32_PATTERN",
    "MAX_COUNT",
    "MAX_WH",
    "PLAIN_TEXT_PATTERN",
    "REFUSED_TEXT",
    "Address",
    "Code",
    "Hex32",
    "JsonBool",
    "JsonInt",
    "JsonNumber",
    "PlainText",
    "UnixSeconds",
    "integral",
    "plain_text",
]

#: Character class (regular-expression syntax shared by Python, Rust and ECMA-262) of refused text characters.
REFUSED_TEXT = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
PLAIN_TEXT_PATTERN = f"^[^{REFUSED_TEXT}]*$"
CODE_PATTERN = "^[A-Za-z0-9_.-]+$"
#: Largest energy of one meter reading or certificate leaf, Wh (1 TWh; bounds written exactly as JSON numbers).
MAX_WH = 10**15
#: Largest sum of Wh, block number or chain id accepted (10¹⁸, below 2⁶³ and exact as a JSON number).
MAX_COUNT = 10**18
HEX32_PATTERN = "^0x[0-9a-fA-F]{64}$"
_REFUSED = re.compile(f"[{REFUSED_TEXT}]")

def integral(value: object) -> object:
    """Read a float without a fractional part as the integer it is (JSON Schema counts ``7.0`` as an integer)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, Strict(), BeforeValidator(integral)]
#: UNIX seconds (UTC) of the supported years, with a day's margin either side for UTC offsets.
UnixSeconds = Annotated[int, Strict(), Ge(int(datetime(FIRST_YEAR - 1, 12, 31, tzinfo=UTC).timestamp())),
                        Le(int(datetime(LAST_YEAR + 2, 1, 1, tzinfo=UTC).timestamp())), BeforeValidator(integral)]
JsonNumber = Annotated[float, Strict()]
JsonBool = Annotated[bool, Strict()]


def plain_text(text: str) -> str:
    """Return ``text`` if it holds none of the refused characters (see the module docstring).

    Raises
    ------
    ValueError
        Naming the first refused character and its position.
    """
    found = _REFUSED.search(text)
    if found is not None:
        char = found.group()
        name = unicodedata.name(char, "a control character")
        raise ValueError(f"contains U+{ord(char):04X} {name} at position {found.start()}; control and "
                         "bidirectional-formatting characters are refused in text")
    return text


#: Text without control or bidirectional-formatting characters (length limits are set where it is used).
PlainText = Annotated[str, AfterValidator(plain_text), Field(json_schema_extra={"pattern": PLAIN_TEXT_PATTERN})]
#: A plant or firm code.
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=CODE_PATTERN)]
#: A 32-byte hash or id: ``0x`` + 64 hex digits.
Hex32 = Annotated[str, Field(pattern=HEX32_PATTERN, description="0x + 64 hex digits.")]
#: An EVM address: ``0x`` + 40 hex digits.
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$", description="EVM address.")]
