"""The words of the feedback form and the public board, in each language offered.

One JSON catalogue per language (feedback/i18n/<code>.json), keys to strings,
so that a translator edits text without touching code. English is complete by
definition; another language missing a key shows the English string rather
than nothing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "es": "Español", "vi": "Tiếng Việt", "zh": "中文（简体）"}
"""The languages of the form, each named in itself for the language picker."""

FALLBACK = "en"

_FOLDER = Path(__file__).with_name("i18n")


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise KeyError(f"no catalogue for language {lang!r}")
    return json.loads((_FOLDER / f"{lang}.json").read_text(encoding="utf-8"))


def t(lang: str, key: str, **fmt: object) -> str:
    """The string for `key` in `lang` (English when the language or the key is missing), formatted.

    An unknown key raises KeyError: a page asking for a string nobody wrote is a bug.
    """
    strings = catalogue(lang) if lang in LANGUAGES else {}
    text = strings.get(key, catalogue(FALLBACK)[key])
    return text.format(**fmt) if fmt else text


def language_for(locale: str | None) -> str:
    """The form language for a browser's locale ('es-MX' -> 'es'), English when it is not offered."""
    primary = (locale or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else FALLBACK
