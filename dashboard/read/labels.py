"""Plain-language names for the codes in the warehouse."""

from __future__ import annotations

import functools

import pycountry

from ..hierarchy import ALL, OTHER_LANGUAGES

_SPECIAL = {ALL: "All", "und": "Not recorded", "network": "Whole network", OTHER_LANGUAGES: "Other languages"}


def plain(code: str) -> str:
    """'mental_health' -> 'Mental health'; 'federal_victim_services' -> 'Federal victim services'."""
    return _SPECIAL.get(code) or code.replace("_", " ").capitalize()


@functools.cache
def language(code: str) -> str:
    """'vi' -> 'Vietnamese'; 'hmn' -> 'Hmong'."""
    if code in _SPECIAL:
        return _SPECIAL[code]
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return found.name if found else code
