"""API keys: roles, hashed storage in a JSON key file, and authentication.

A key looks like ``gp_<key id>_<secret>``: the 12-hex-digit key id finds the stored record, the
secret (32 random bytes, URL-safe base64) is never stored. The key file keeps, per key,
``HMAC-SHA256(salt, secret)`` with a random 16-byte salt of its own, compared in constant time.
The clear key is returned once, when it is created.

Roles (:class:`Role`):

- ``park-operator``: uploads meter data, runs attribution, reads park-wide shares and intensities;
- ``firm``: bound to one firm code, sees only that firm's certificates and scores;
- ``auditor``: reads everything and verifies against the chain;
- ``exporter``: bound to one firm code, retires that firm's certificates against shipments.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from .errors import ApiKeyError, AuthenticationError
from .firm_codes import canonical_firm_code

__all__ = ["ApiKeyRecord", "KeyStore", "Principal", "Role"]

_PREFIX = "gp"
_KEY_ID_HEX = 12


class Role(StrEnum):
    """What an API key may do (see the module docstring)."""

    PARK_OPERATOR = "park-operator"
    FIRM = "firm"
    AUDITOR = "auditor"
    EXPORTER = "exporter"

    @property
    def firm_bound(self) -> bool:
        """Whether keys of this role are bound to exactly one firm."""
        return self in (Role.FIRM, Role.EXPORTER)

    @property
    def with_article(self) -> str:
        """The role's name after its indefinite article, for messages: ``"an auditor"``, ``"a firm"``."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


@dataclass(frozen=True)
class Principal:
    """The caller a valid API key stands for.

    Attributes
    ----------
    key_id : str
        Public identifier of the key (12 hex digits).
    role : Role
        The key's role.
    firm_code : str or None
        Firm the key is bound to (roles ``firm`` and ``exporter``), else ``None``.
    """

    key_id: str
    role: Role
    firm_code: str | None = None


@dataclass(frozen=True)
class ApiKeyRecord:
    """One stored key: everything but the secret, which is kept only as a salted HMAC."""

    key_id: str
    role: Role
    firm_code: str | None
    label: str
    created_at: str
    salt_hex: str
    digest_hex: str

    @property
    def principal(self) -> Principal:
        """The caller this key authenticates as."""
        return Principal(key_id=self.key_id, role=self.role, firm_code=self.firm_code)


def _digest(salt: bytes, secret: str) -> str:
    return hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).hexdigest()


class KeyStore:
    """API keys kept in a JSON file (hashed), loaded on each lookup so new keys work without restart.

    Parameters
    ----------
    path : Path
        The key file; created (with mode 0600) on the first :meth:`create`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def records(self) -> list[ApiKeyRecord]:
        """Return every stored key record (no secrets), oldest first."""
        if not self.path.exists():
            return []
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
            return [ApiKeyRecord(**{**row, "role": Role(row["role"])}) for row in rows]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ApiKeyError(f"key file {self.path} is unreadable or malformed: {exc}") from exc

    def create(self, role: Role | str, firm_code: str | None = None, label: str = "", *,
               known_firms: Collection[str] | None = None) -> tuple[ApiKeyRecord, str]:
        """Create and store a key; return its record and the clear key (shown once, never stored).

        Parameters
        ----------
        role : Role or str
            The key's role.
        firm_code : str, optional
            Firm of a ``firm`` or ``exporter`` key, any case (stored upper case, :func:`canonical_firm_code`).
        label : str
            Free text to recognise the key by.
        known_firms : collection of str, optional
            Firm codes a key may be bound to; any code when omitted.

        Raises
        ------
        ApiKeyError
            If ``role`` is unknown, a ``firm``/``exporter`` key lacks ``firm_code`` or another role has
            one, or ``firm_code`` is not one of ``known_firms`` (the message lists them).
        """
        try:
            role = Role(role)
        except ValueError as exc:
            raise ApiKeyError(f"role {role!r} is not one of {[r.value for r in Role]}") from exc
        if role.firm_bound and not firm_code:
            raise ApiKeyError(f"{role.with_article} key must be bound to a firm code (--firm)")
        if not role.firm_bound and firm_code:
            raise ApiKeyError(f"{role.with_article} key cannot be bound to firm {firm_code!r}")
        firm_code = canonical_firm_code(firm_code) if firm_code else None
        if firm_code and known_firms is not None and firm_code not in known_firms:
            raise ApiKeyError(f"firm {firm_code!r} is unknown; the park's firms are {', '.join(known_firms)}")
        key_id = secrets.token_hex(_KEY_ID_HEX // 2)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        record = ApiKeyRecord(
            key_id=key_id, role=role, firm_code=firm_code, label=label,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            salt_hex=salt.hex(), digest_hex=_digest(salt, secret),
        )
        self._write([*self.records(), record])
        return record, f"{_PREFIX}_{key_id}_{secret}"

    def revoke(self, key_id: str) -> None:
        """Delete the key ``key_id``.

        Raises
        ------
        ApiKeyError
            If no stored key has that id.
        """
        records = self.records()
        kept = [r for r in records if r.key_id != key_id]
        if len(kept) == len(records):
            raise ApiKeyError(f"no API key with id {key_id!r} in {self.path}")
        self._write(kept)

    def principal(self, key_id: str) -> Principal:
        """Return the principal of the stored key ``key_id`` (a dashboard session holds only the id).

        Raises
        ------
        AuthenticationError
            If no stored key has that id (never created, or revoked).
        """
        for record in self.records():
            if record.key_id == key_id:
                return record.principal
        raise AuthenticationError(f"API key {key_id} is unknown or revoked")

    def authenticate(self, key: str) -> Principal:
        """Return the principal of a clear key.

        Raises
        ------
        AuthenticationError
            If the key is malformed or matches no stored key (the message never echoes the secret).
        """
        prefix, _, rest = key.partition("_")
        key_id, _, secret = rest.partition("_")
        if prefix != _PREFIX or len(key_id) != _KEY_ID_HEX or not secret:
            raise AuthenticationError("the API key is malformed (expected gp_<key id>_<secret>)")
        for record in self.records():
            if record.key_id == key_id and hmac.compare_digest(
                    record.digest_hex, _digest(bytes.fromhex(record.salt_hex), secret)):
                return record.principal
        raise AuthenticationError(f"API key {key_id} is unknown or revoked")

    def _write(self, records: list[ApiKeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"keys": [asdict(r) for r in records]}, indent=2, sort_keys=True)
        # Write-then-rename so a crash never leaves a half-written key file; 0600 since it holds digests.
        handle, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".api-keys-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ApiKeyError(f"cannot write key file {self.path}: {exc}") from exc
