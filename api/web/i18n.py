"""Labels of the web dashboard in Chinese and English: one JSON dictionary per language.

The dictionaries live in ``api/web/static/i18n/<lang>.json`` (flat ``key → text`` maps, the same keys
in every language, checked by a test). The outcomes of a record's verification are written by the use
case in English (:data:`~greenproof.api.usecases.provenance_verify.CHECK_DETAILS`); the other languages
translate them as ``check_detail.<reason>`` keys, with the same named values. Templates call
``t("key")``; the charts' labels reach the browser inside the page's JSON data, so the static script
holds no text of its own.

The language is the ``gp_lang`` cookie if set (the toggle sets it), else the first of
``Accept-Language`` that the dashboard speaks, else Chinese (the park's own language).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from starlette.requests import Request

from ..usecases.errors import ApiError

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_COOKIE", "Translator", "dictionary", "request_language"]

#: Languages the dashboard speaks, in toggle order.
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "gp_lang"
_I18N_DIR = Path(__file__).parent / "static" / "i18n"


@cache
def dictionary(language: str) -> Mapping[str, str]:
    """Return the label dictionary of ``language`` (read once per process).

    Raises
    ------
    ApiError
        If the language is not one of :data:`LANGUAGES` or its file is missing or malformed.
    """
    if language not in LANGUAGES:
        raise ApiError(f"language {language!r} is not one of {LANGUAGES}")
    path = _I18N_DIR / f"{language}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApiError(f"label dictionary {path} is unreadable: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ApiError(f"label dictionary {path} must be a flat JSON object of strings")
    return MappingProxyType(data)


def request_language(request: Request) -> str:
    """Return the language of a request: cookie, then ``Accept-Language``, then :data:`DEFAULT_LANGUAGE`."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        primary = part.split(";")[0].strip().lower()[:2]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


class Translator:
    """Look labels up in one language; a missing key shows as the key itself (visible, never a crash).

    Parameters
    ----------
    language : str
        One of :data:`LANGUAGES`.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._labels = dictionary(language)

    def __call__(self, key: str, **values: object) -> str:
        """Return the label of ``key`` with ``{name}`` placeholders filled from ``values``."""
        text = self._labels.get(key, key)
        return text.format(**values) if values else text

    def check_detail(self, reason: str, values: Mapping[str, str], english: str) -> str:
        """Return what a verification check found, in this language (``english``: the use case's own text)."""
        text = self._labels.get(f"check_detail.{reason}")
        return english if text is None else text.format(**values)

    def subset(self, prefix: str) -> dict[str, str]:
        """Return every label whose key starts with ``prefix``, keyed by the rest of the key (for charts)."""
        return {key[len(prefix):]: text for key, text in self._labels.items() if key.startswith(prefix)}
