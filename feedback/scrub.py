"""Remove contact details from feedback text before anything stores it.

People write their phone number, e-mail or name into a free-text box even
when asked not to. What the store keeps must not lead back to them, so every
such detail is replaced by a marker ("[phone removed]") that tells a reviewer
something was there without saying what. The scrubber errs towards removing:
a lost word costs a reviewer little, a kept phone number can cost a survivor a
great deal. Everything runs locally on regular expressions and the
`phonenumbers` metadata; nothing here loads a model or reaches the network.

People do not write details the way a form expects: full-width "＠" and "．",
"gmail。com", "maria @ gmail . com", phone numbers in Chinese numerals or
Vietnamese number words. The detectors read a normalised copy of the text
(see `_normalise`) and what they find is replaced in the text as written: the
stored words stay the person's own (their full-width punctuation, their
"three weeks") wherever no detail was found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

KINDS = ("email", "link", "phone", "address", "name")
"""What the scrubber removes, in the order it looks for it: an e-mail contains
what looks like a link, and a link can contain digits that look like a phone.
A postcode counts as an address, and a social-media handle as a name."""

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
    text leaves less that is not a marker. Each kind is looked for in a fresh
    normalised copy: the markers of the kind before moved the text.
    """
    removed: set[str] = set()
    while True:
        before = text
        for kind in KINDS:
            copy = _normalise(text)
            spans = [copy.original(span) for span in _DETECTORS[kind](copy.text)]
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


@dataclass(frozen=True)
class _Copy:
    """The text as the detectors read it, and for each of its characters the
    span of the original text it came from."""

    text: str
    origin: tuple[Span, ...]

    def original(self, span: Span) -> Span:
        return self.origin[span[0]][0], self.origin[span[1] - 1][1]


_PUNCTUATION = str.maketrans({"。": ".", "’": "'"})
"""What NFKC leaves alone but people type for "." (Chinese keyboards) and "'"."""


def _normalise(text: str) -> _Copy:
    """A copy to detect on: NFKC ("＠" → "@", "０９" → "09"), "。" → ".",
    invisible format characters (zero-width space, soft hyphen) dropped, and
    spelled-out digits turned into digits (`_digits_for_number_words`).

    Each letter is normalised with the accents that follow it, so a
    Vietnamese word typed with combining accents reads like one typed whole.
    """
    chars: list[str] = []
    origin: list[Span] = []
    start = 0
    while start < len(text):
        end = start + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        for ch in unicodedata.normalize("NFKC", text[start:end]).translate(_PUNCTUATION):
            if unicodedata.category(ch) != "Cf":
                chars.append(ch)
                origin.append((start, end))
        start = end
    return _digits_for_number_words("".join(chars), origin)


_DIGIT_WORDS = {
    word: str(digit)
    for digit, words in enumerate(
        [  # English, Spanish, Vietnamese (with and without accents), Chinese
            "zero oh cero không khong 〇 零",
            "one uno một mot 一 幺",
            "two dos hai 二 两 兩",
            "three tres ba 三",
            "four cuatro bốn bon 四",
            "five cinco năm nam 五",
            "six seis sáu sau 六",
            "seven siete bảy bẩy bay 七",
            "eight ocho tám tam 八",
            "nine nueve chín chin 九",
        ]
    )
    for word in words.split()
}
_LATIN_DIGIT_WORD = "|".join(sorted((w for w in _DIGIT_WORDS if len(w) > 1), key=len, reverse=True))
_CJK_DIGIT = "".join(w for w in _DIGIT_WORDS if len(w) == 1)
_TIMES = {"double": 2, "doble": 2, "triple": 3}
_NUMBER_WORD_PATTERN = rf"(?<![^\W\d_])(?:(?:{'|'.join(_TIMES)})\s+)?(?:{_LATIN_DIGIT_WORD})(?![^\W\d_])|[{_CJK_DIGIT}]"
_NUMBER_WORD = re.compile(_NUMBER_WORD_PATTERN, re.IGNORECASE)
_NUMBER_RUN = re.compile(rf"(?:{_NUMBER_WORD_PATTERN})(?:[\s,.-]*(?:{_NUMBER_WORD_PATTERN})){{2,}}", re.IGNORECASE)
"""Three number words or more in a row: "không chín không một…", "一三八…",
"oh seven seven double one…". One or two ("hai ba năm", "三四个月") are
ordinary words and stay words."""


def _digits_for_number_words(text: str, origin: list[Span]) -> _Copy:
    """Each run of number words as the digits it spells, written together so
    the phone detectors see one number."""
    chars: list[str] = []
    origins: list[Span] = []
    cursor = 0
    for run in _NUMBER_RUN.finditer(text):
        chars += text[cursor : run.start()]
        origins += origin[cursor : run.start()]
        for word in _NUMBER_WORD.finditer(text, run.start(), run.end()):
            *times, number = word.group().lower().split()
            digits = _DIGIT_WORDS[number] * (_TIMES[times[0]] if times else 1)
            chars += digits
            origins += [(origin[word.start()][0], origin[word.end() - 1][1])] * len(digits)
        cursor = run.end()
    chars += text[cursor:]
    origins += origin[cursor:]
    return _Copy("".join(chars), tuple(origins))


# Building blocks. Python's `re` has no \p{Lu}, so capitals are listed once.
_UPPER = "".join(ch for ch in map(chr, range(0x3000)) if ch.isupper())
_WORD = r"[^\W\d_][\w'’.-]*"
_CAPITALISED = rf"(?=[{re.escape(_UPPER)}]){_WORD}"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
"""One part of a domain name, as people type them: ASCII letters, digits, inner hyphens."""
_TLDS = "com|org|net|gov|edu|info|biz|io|co|me|ly|gl|app|us|uk|ca|mx|es|vn|cn|ph"
"""Common top-level domains: a link without "www." or a scheme must end in one ("e.g." and "Dr.Smith"
do not), and so must an e-mail written with spaces around its dots."""

# E-mail: plain (spaces around @ allowed) and spelled out, as in
# "name at domain dot org", "name [at] domain [dot] org", "nombre arroba dominio punto com",
# "tên a còng gmail chấm com", "qq点com". With a real "@", spaces around the dots
# too ("maria @ gmail . com"), before a known top-level domain only: "me @ home. Thanks".
_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|@|arroba)\s*[\])}>]\s*|\s+(?:at|arroba|a\s+còng|a\s+móc)\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*(?:dot|\.|punto)\s*[\])}>]\s*|\s+(?:dot|punto|chấm)\s+|\s*点\s*)"
_NO_SPACES_SCRIPTS = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
"""Chinese, Japanese and Korean: a name there runs straight into the sentence around it."""
_LOCAL_CHAR = rf"(?:[^\W{_NO_SPACES_SCRIPTS}]|[.%+-])"
_EMAIL = re.compile(
    rf"(?<!{_LOCAL_CHAR}){_LOCAL_CHAR}+(?:"
    rf"{_AT}(?!www{_DOT}){_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}[a-z]{{2,}}"
    rf"|\s*@\s*{_LABEL}(?:\s*\.\s*{_LABEL})*?\s*\.\s*(?:{_TLDS})"
    r")(?![a-z0-9_/-])",
    re.IGNORECASE,
)

# Links: with a scheme, starting with www., or a bare domain under a common
# top-level domain ("bit.ly/abc", "example.org").
_URL_CHARS = r"[^\s<>\"'\[\]]"
_URL_END = r"[^\s<>\"'\[\].,;:!?)]"
_LINK = re.compile(
    rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}*{_URL_END}"
    rf"|(?<![a-z0-9@.-])(?:{_LABEL}\.)+(?:{_TLDS})(?![a-z0-9_-])(?:/(?:{_URL_CHARS}*{_URL_END})?)?",
    re.IGNORECASE,
)

# Phones: numbers `phonenumbers` accepts as valid in any of PHONE_REGIONS, and
# what it cannot know: fictional or local numbers ("555-1234", "555 1234",
# "5551234") and long runs of digits with separators. Dates, times, spans of
# years, ZIP+4 codes and amounts of money ("15.000.000 đồng") are digits too,
# and are left alone.
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s().-]*\d")
_LOCAL_NUMBER = re.compile(r"(?<![\d.-])\d{3}(?:\s?[-.]\s?|\s)?\d{4}(?![\d.-]?\d)")
_DAY_OR_MONTH = r"(?:0?[1-9]|[12]\d|3[01])"
_NOT_A_PHONE = re.compile(
    rf"(?<![\d.])\d{{1,4}}([-/.]){_DAY_OR_MONTH}\1\d{{1,4}}(?![-/.]?\d)"
    r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d(?!\d)"
    r"|(?<![\d-])\d{5}-\d{4}(?![\d-])"
    r"|(?<![\d.,])(?:\d{1,3}(?:[.,\s]\d{3})+|\d+)(?:[.,]\d+)?\s*"
    r"(?:(?i:đồng|đ|dong|vnd|usd|dollars?|pesos?|euros?|mxn|rmb)(?![^\W\d_])|美元|元|块)"
    r"|[$€£¥₫]\s*(?:\d{1,3}(?:[.,]\d{3})+|\d+)"
)
_MIN_DIGITS_IN_RUN = 8


def _phones(text: str) -> list[Span]:
    keep = [m.span() for m in _NOT_A_PHONE.finditer(text)]
    found = [m.span() for m in _LOCAL_NUMBER.finditer(text)]
    found += [
        m.span() for m in _DIGIT_RUN.finditer(text) if sum(ch.isdigit() for ch in m.group()) >= _MIN_DIGITS_IN_RUN
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

# Postcodes: British ("NW1 6XE", not "B12 3rd"), Canadian ("M5V 3L9"), a US
# ZIP after a state ("IL 62704") or with its +4, and any 4 to 6 digits after
# the word for postcode (Spanish, Mexican, Vietnamese and Chinese codes are
# bare digits, so without that word they cannot be told from other numbers).
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?(?!\d(?:st|nd|rd|th)\b)\d[ABD-HJLNP-UW-Z]{2}"
_CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d"
_US_STATE = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY"
    "|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_POSTCODE_WORD = (
    r"(?<![^\W\d_])(?i:zip(?:\s*code)?|post\s*code|postal\s*code|código\s+postal|c\.?p\.?"
    r"|mã\s+bưu\s+(?:điện|chính))|邮编|郵編|邮政编码"
)
_POSTCODE = re.compile(
    rf"(?<![\w-])(?i:{_UK_POSTCODE}|{_CA_POSTCODE})(?![\w-])"
    rf"|(?<![\w-])(?:{_US_STATE})\s+\d{{5}}(?:-\d{{4}})?(?![\w-])"
    r"|(?<![\d-])\d{5}-\d{4}(?![\d-])"
    rf"|(?:{_POSTCODE_WORD})\s*(?i:is\s+|es\s+|là\s+)?[:#]?\s*(?P<code>\d{{4,6}}(?:-\d{{4}})?)(?!\d)"
)


def _addresses(text: str) -> list[Span]:
    found = [m.span() for m in _ADDRESS.finditer(text)]
    return found + [m.span("code") if m["code"] else m.span() for m in _POSTCODE.finditer(text)]


# Names, after the phrase that introduces them. After a phrase that can only
# introduce a name ("my name is", "me llamo", "tên tôi là", "我叫") a capitalised
# name is taken whole ("Maria Lopez Garcia"); written in lower case, up to
# three words are.
_NAME_INTRO = (
    r"(?i:my\s+name\s+is|my\s+name's|i\s+am\s+called|i'm\s+called|me\s+llamo|mi\s+nombre\s+es"
    r"|(?:tôi|em|mình|con|cháu)\s+tên(?:\s+là\b|(?!\s+là\b))|tên\s+(?:của\s+)?(?:tôi|em|mình)\s+là)"
)
_NAME = re.compile(
    rf"\b{_NAME_INTRO}\s*[:,-]?\s+(?P<name>{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}}|{_WORD}(?:\s+{_WORD}){{0,2}})"
    rf"|(?:我叫|我名叫|我的名字是|我的名字叫)(?![了过着])\s*(?P<han>[\u4e00-\u9fff]{{1,4}}|{_WORD}(?:\s+{_WORD}){{0,2}})"
)

# After a phrase that mostly introduces something else ("I'm scared", "soy de
# México", "tôi là người Việt", "我是第一次来"), only what looks like a name is
# taken: capitalised words that are not on a short list of ordinary ones
# ("I'm Hoa Nguyen", but not "I'm Not Sure" or "I'M SCARED"), and in Chinese
# a common surname and one or two characters more ("我是王小明").
_MAYBE_INTRO = r"(?i:i'm|i\s+am|call\s+me|this\s+is|soy|(?:tôi|em|mình)\s+là|gọi\s+(?:tôi|em)\s+là)"
_NAME_PART = rf"(?=[{re.escape(_UPPER)}])[^\W\d_](?:[\w'.-]*[^\W\d_])?"
_MAYBE_NAME = re.compile(rf"(?<![^\W\d_]){_MAYBE_INTRO}\s+(?P<name>{_NAME_PART}(?:\s+{_NAME_PART}){{0,3}})")
_NOT_NAMES = frozenset(
    """
    a an the i it not no so very really just still also too here there ok okay fine good well sorry scared
    afraid happy glad grateful thankful tired alone sure ready new from in at on with and but or what how why
    who that asap english spanish chinese vietnamese monday tuesday wednesday thursday friday saturday sunday
    yo de del la el los las un una muy madre mamá
    người mẹ con rất một của đang không
    """.split()
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴徐孙朱胡郭何林罗郑梁谢宋唐许冯邓曹彭肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范"
    "廖贾韦邹孟熊秦邱薛闫段雷侯陶黎贺顾郝龚邵钱严戴莫孔汤張劉陳楊黃趙吳孫鄭謝許馮鄧蘇呂盧鍾譚陸賈鄒龔錢湯葉蔣羅"
)
"""Common Chinese surnames, less those that start what often follows 我是: 马上,
周末, 夏天, 高中, 华人, 白人, 韩国人, 曾经."""
_HAN_NAME = re.compile(rf"我是(?P<name>[{_SURNAMES}](?:(?![的了是在和也从来去说到过])[\u4e00-\u9fff]){{1,2}})")

# Handles: "@hoanguyen92" (not a spreadsheet's "@SUM(A1)"), and what follows
# the name of a platform: anything after a colon ("instagram: maria.lopez",
# "微信号：hoa92"), else a word with a digit, dot or underscore in it
# ("fb hoa.nguyen.92", not "facebook 2 times").
_HANDLE_BODY = r"[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"
_PLATFORM = (
    r"(?<![A-Za-z])(?i:instagram|insta|ig|facebook|fb|tiktok|twitter|snapchat|telegram|whatsapp|wechat|weixin"
    r"|zalo|kakao|viber|skype|discord|qq)(?![A-Za-z])|微信号|微信|微博|抖音"
)
_HANDLE = re.compile(
    rf"(?<![\w@.])@[A-Za-z_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?(?![A-Za-z0-9_(])"
    rf"|(?:{_PLATFORM})(?:\s*:\s*|\s+(?=[A-Za-z0-9_.]*[A-Za-z])(?=[A-Za-z0-9_.]*[\d_.]))(?P<handle>{_HANDLE_BODY})"
)


def _names(text: str) -> list[Span]:
    found = [m.span("name") if m["name"] else m.span("han") for m in _NAME.finditer(text)]
    found += [m.span("name") for m in _HAN_NAME.finditer(text)]
    found += [m.span("handle") if m["handle"] else m.span() for m in _HANDLE.finditer(text)]
    for m in _MAYBE_NAME.finditer(text):
        end = m.start("name")
        for part in re.finditer(r"\S+", m["name"]):
            if part.group().casefold() in _NOT_NAMES:
                break
            end = m.start("name") + part.end()
        if end > m.start("name"):
            found.append((m.start("name"), end))
    return found


_DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "email": _spans(_EMAIL),
    "link": _spans(_LINK),
    "phone": _phones,
    "address": _addresses,
    "name": _names,
}
