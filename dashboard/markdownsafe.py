"""Markdown that shows people's text exactly as they wrote it, whatever it says.

Names, themes, titles and notes are written by people; st.markdown would read a bracket
as a link, an asterisk as emphasis, `:red[...]` as colour. Sign-in, the dashboard pages
and the feedback pages all show such text, so the escaping lives here, below all of them.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'@%^])")


def markdown_text(text: str) -> str:
    """Text written by people (a theme, a cycle's title), to go inside st.markdown exactly as written:
    every character Markdown could read as a link, image, emphasis, heading or colour is escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
