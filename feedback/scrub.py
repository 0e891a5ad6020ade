"""Remove contact details from feedback text before anything stores it.

People write their phone number, e-mail or name into a free-text box even
when asked not to. What the store keeps must not lead back to them, so every
such detail is replaced by a marker ("[phone removed]") that tells a reviewer
something was there without saying what. The scrubber errs towards removing:
a lost word costs a reviewer little, a kept phone number can cost a survivor a
great deal. Everything runs locally on regular expressions and the
`phonenumbers` metadata; nothing here loads a model or reaches the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

KINDS = ("email", "link", "phone", "address", "name")
"""What the scrubber removes, in the order it looks for it: an e-mail contains
what looks like a link, and a link can contain digits that look like a phone."""

MARKERS = {kind: f"[{kind} removed]" for kind in KINDS}

PHONE_REGIONS = ("US", "GB", "MX", "ES", "VN", "CN", "PH")
"""Where a number written without a country code is read as a national number."""

Span = tuple[int, int]


@dataclass(frozen=True)
class Scrubbed:
    text: str
    removed: tuple[str, ...]
    """The kinds of detail that were removed, each once, in KINDS order."""


def scrub(text: str) -> Scrubbed:
    """The text with every contact detail replaced by its marker.

    A replacement changes what its neighbours look like (the phone matcher
    reads the characters around a number), so the passes repeat until nothing
    changes: scrubbing scrubbed text is then a no-op by construction. It ends
    because no pattern matches inside a marker, so each pass that changes the
    text leaves less that is not a marker.
    """
    removed: set[str] = set()
    while True:
        before = text
        for kind in KINDS:
            spans = _DETECTORS[kind](text)
            if spans:
                text = _replace(text, spans, MARKERS[kind])
                removed.add(kind)
        if text == before:
            return Scrubbed(text, tuple(k for k in KINDS if k in removed))


def _replace(text: str, spans: list[Span], marker: str) -> str:
    """Replace the spans, merging any that overlap or touch, by one marker each."""
    out, cursor = [], 0
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        out.append(text[cursor:start])
        out.append(marker)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _spans(pattern: re.Pattern[str]) -> Callable[[str], list[Span]]:
    return lambda text: [m.span() for m in pattern.finditer(text)]


# Building blocks. Python's `re` has no \p{Lu}, so capitals are listed once.
_UPPER = "".join(ch for ch in map(chr, range(0x3000)) if ch.isupper())
_WORD = r"[^\W\d_][\w'’.-]*"
_CAPITALISED = rf"(?=[{re.escape(_UPPER)}]){_WORD}"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
"""One part of a domain name, as people type them: ASCII letters, digits, inner hyphens."""

# E-mail: plain (spaces around @ allowed) and spelled out, as in
# "name at domain dot org", "name [at] domain [dot] org", "nombre arroba dominio punto com".
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|@|arroba)\s*[\])}>]\s*|\s+(?:at|arroba)\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*(?:dot|\.|punto)\s*[\])}>]\s*|\s+(?:dot|punto)\s+)"
_NO_SPACES_SCRIPTS = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
"""Chinese, Japanese and Korean: a name there runs straight into the sentence around it."""
_LOCAL_CHAR = rf"(?:[^\W{_NO_SPACES_SCRIPTS}]|[.%+-])"
_EMAIL = re.compile(
    rf"(?<!{_LOCAL_CHAR}){_LOCAL_CHAR}+{_AT}(?!www{_DOT}){_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}[a-z]{{2,}}(?![a-z0-9_/-])",
    re.IGNORECASE,
)

# Links: with a scheme, starting with www., or a bare domain under a common
# top-level domain ("bit.ly/abc", "example.org"). A short list of top-level
# domains keeps "e.g." and "Dr.Smith" out.
_TLDS = "com|org|net|gov|edu|info|biz|io|co|me|ly|gl|app|us|uk|ca|mx|es|vn|cn|ph"
_URL_CHARS = r"[^\s<>\"'\[\]]"
_URL_END = r"[^\s<>\"'\[\].,;:!?)]"
_LINK = re.compile(
    rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}*{_URL_END}"
    rf"|(?<![a-z0-9@.-])(?:{_LABEL}\.)+(?:{_TLDS})(?![a-z0-9_-])(?:/(?:{_URL_CHARS}*{_URL_END})?)?",
    re.IGNORECASE,
)

# Phones: numbers `phonenumbers` accepts as valid in any of PHONE_REGIONS, and
# what it cannot know: fictional or local numbers ("555-1234") and long runs of
# digits with separators. Dates, times and spans of years are digits too, and
# are left alone.
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s().-]*\d")
_LOCAL_NUMBER = re.compile(r"(?<![\d.-])\d{3}[-.]\d{4}(?![\d.-]?\d)")
_DAY_OR_MONTH = r"(?:0?[1-9]|[12]\d|3[01])"
_DATE_OR_TIME = re.compile(
    rf"(?<![\d.])\d{{1,4}}([-/.]){_DAY_OR_MONTH}\1\d{{1,4}}(?![-/.]?\d)"
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d(?!\d)"
)
_MIN_DIGITS_IN_RUN = 8


def _phones(text: str) -> list[Span]:
    keep = [m.span() for m in _DATE_OR_TIME.finditer(text)]
    found = [m.span() for m in _LOCAL_NUMBER.finditer(text)]
    found += [
        m.span()
        for m in _DIGIT_RUN.finditer(text)
        if sum(ch.isdigit() for ch in m.group()) >= _MIN_DIGITS_IN_RUN
    ]
    for region in PHONE_REGIONS:
        found += [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    return [s for s in found if not any(s[0] < k[1] and k[0] < s[1] for k in keep)]


# Addresses: a number and a street ("123 Main Street", "45 Calle de Alcalá",
# "Calle de Alcalá 45", "12 đường Lê Lợi", "建国路88号") and a flat ("Apt 4B").
# Small words between the number and "street" mean a sentence, not an address:
# "3 weeks on the street".
_SMALL_WORDS = r"(?i:the|a|an|on|in|at|to|of|my|our|your|his|her|their|this|that|for|from|by|and|or|with)"
_STREET_AFTER = (
    r"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|court|ct|place|pl|way"
    r"|terrace|highway|hwy|parkway|pkwy|circle|square|sq)"
)
_STREET_BEFORE = (
    r"(?i:calle|c/|avenida|avda\.?|av\.?|paseo|plaza|camino|carrera|carretera|ronda|travesía|callejón"
    r"|đường|phố|ngõ|hẻm)"
)
_HOUSE_NUMBER = r"\d{1,6}[A-Za-z]?(?:/\d{1,4})?"
_STREET_NAME = rf"(?:(?i:de\s+la|de\s+los|de\s+las|del|de)\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}}"
_ADDRESS = re.compile(
    rf"(?<![\w.])\d{{1,6}}[A-Za-z]?\s+(?:(?!{_SMALL_WORDS}\b){_WORD}\s+){{1,3}}{_STREET_AFTER}\b\.?"
    rf"|(?<![\w.]){_HOUSE_NUMBER}\s+{_STREET_BEFORE}\s+{_STREET_NAME}"
    rf"|(?<!\w){_STREET_BEFORE}\s+{_STREET_NAME},?\s+(?:(?i:no\.?|nº|n\.º|#|số)\s*)?{_HOUSE_NUMBER}\b"
    r"|\b(?i:apt|apartment|suite|ste|unit|apto|apartamento|depto|departamento)\.?\s*#?\s*(?:\d+[A-Za-z]?|[A-Z])\b"
    r"|[\u4e00-\u9fff]{2,6}?(?:路|街|大道|巷|弄|胡同)\s*\d+\s*号(?:\s*\d+\s*(?:楼|单元|室))*"
)

# Names, after the phrase that introduces them. A capitalised name is taken
# whole ("Maria Lopez Garcia"); written in lower case, up to three words are.
_NAME_INTRO = (
    r"(?i:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called|me\s+llamo|mi\s+nombre\s+es"
    r"|tôi\s+tên\s+là|tên\s+tôi\s+là|tên\s+của\s+tôi\s+là)"
)
_NAME = re.compile(
    rf"\b{_NAME_INTRO}\s*[:,-]?\s+(?P<name>{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}}|{_WORD}(?:\s+{_WORD}){{0,2}})"
    rf"|(?:我叫|我名叫|我的名字是)(?![了过着])\s*(?P<han>[\u4e00-\u9fff]{{1,4}}|{_WORD}(?:\s+{_WORD}){{0,2}})"
)


def _names(text: str) -> list[Span]:
    return [m.span("name") if m.group("name") else m.span("han") for m in _NAME.finditer(text)]


_DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "email": _spans(_EMAIL),
    "link": _spans(_LINK),
    "phone": _phones,
    "address": _spans(_ADDRESS),
    "name": _names,
}
