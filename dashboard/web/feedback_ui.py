"""What the feedback pages share: one store per process, the reader's language, the quick exit.

The rules (what is stored, who may move what where) are in feedback/; this is
the Streamlit side of them.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from datetime import date
from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from feedback.i18n import LANGUAGES, language_for, t
from feedback.review import ReviewError
from feedback.store import DEFAULT_RATE_LIMIT, GENERAL, RateLimiter, Store, deployment_location, open_store

from ..hierarchy import SERVICE_LINES
from ..read import data

DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
"""Where the quick exit goes: a busy, neutral site. HUBDASH_EXIT_URL replaces it."""

_DONE = "feedback-done"
_LANGUAGE = "feedback-language"
_LANGUAGE_PICKER = "feedback-language-picker"


@st.cache_resource(max_entries=8, show_spinner=False)
def _open_store(location: str) -> Store:
    return open_store(location, rate_limiter=RateLimiter(limit=rate_limit()))


def rate_limit() -> int:
    """New feedbacks a minute the form takes from everyone together: HUBDASH_FEEDBACK_PER_MINUTE, or the default."""
    configured = os.environ.get("HUBDASH_FEEDBACK_PER_MINUTE", "").strip() or str(DEFAULT_RATE_LIMIT)
    if not configured.isdigit() or int(configured) < 1:
        raise ValueError(f"HUBDASH_FEEDBACK_PER_MINUTE must be a whole number of 1 or more, not {configured!r}")
    return int(configured)


@st.cache_resource(max_entries=8, show_spinner=False)
def _maintained(location: str, day: str) -> int:
    """Streamlit computes a cached resource once per key whoever asks, so this runs once a day per store."""
    return _open_store(location).maintain()


def store() -> Store:
    """The feedback store, one per process: the shared one named by HUBDASH_FEEDBACK_URL, or the data folder's.
    On the first use each day it is maintained first (spent tokens purged, expired texts erased, every table
    rewritten so nothing orders the feedback)."""
    location = str(deployment_location())
    _maintained(location, date.today().isoformat())
    return _open_store(location)


def attempt(action: Callable[[], object], message: str) -> None:
    """A reviewer's action: a refusal is shown here, with its reason; success is said on the
    next run, which redraws the page with the change (`say_done`)."""
    try:
        action()
    except ReviewError as error:
        st.error(str(error), icon=":material/block:")
    else:
        st.session_state[_DONE] = message
        st.rerun()


def say_done() -> None:
    if _DONE in st.session_state:
        st.success(st.session_state.pop(_DONE), icon=":material/check:")


def exit_url() -> str:
    url = os.environ.get("HUBDASH_EXIT_URL", "").strip() or DEFAULT_EXIT_URL
    if urlparse(url).scheme not in ("http", "https"):
        raise ValueError(f"HUBDASH_EXIT_URL must be an http or https address, not {url!r}")
    return url


def language_picker() -> str:
    """The language of the public feedback pages: the browser's if offered, until the person picks one.

    The choice is kept apart from the widget, so it carries from one page to the next.
    """
    if _LANGUAGE not in st.session_state:
        st.session_state[_LANGUAGE] = language_for(st.context.locale)
    codes = list(LANGUAGES)
    st.radio(
        " · ".join(t(code, "form.language") for code in codes),
        codes,
        index=codes.index(st.session_state[_LANGUAGE]),
        format_func=LANGUAGES.get,
        horizontal=True,
        key=_LANGUAGE_PICKER,
        on_change=_remember_language,
    )
    return st.session_state[_LANGUAGE]


def _remember_language() -> None:
    st.session_state[_LANGUAGE] = st.session_state[_LANGUAGE_PICKER]


def quick_exit(lang: str) -> None:
    """GOV.UK's "Exit this page": a button that stays in view, and Shift pressed three times.

    Either blanks the page, then replaces it (and its history entry) by a neutral
    site, sending no referrer. The button leaves as it is pressed, not when released:
    pressing it blurs a text box, whose rerun may redraw the button before a click
    could land on it. The click still serves the keyboard. st.html runs the script
    in the page itself, not in a sandboxed frame, so it may navigate the whole
    window. Without JavaScript the button is still a plain link to the same site.
    While the button is on screen the script also sets the page's language, for
    screen readers.
    """
    st.html(
        f"""
        <a class="hubdash-quick-exit" href="{html.escape(exit_url())}" rel="noreferrer" data-lang="{html.escape(lang)}">
          {html.escape(t(lang, "exit.button"))}
          <span class="hubdash-quick-exit-hint">{html.escape(t(lang, "exit.hint"))}</span>
        </a>
        <style>{_QUICK_EXIT_CSS}</style>
        <script>{_QUICK_EXIT_JS}</script>
        """,
        unsafe_allow_javascript=True,
    )


_QUICK_EXIT_CSS = """
a.hubdash-quick-exit {
  position: fixed; top: 0.75rem; right: 4.5rem; z-index: 1000001;
  display: inline-flex; flex-direction: column; align-items: center;
  padding: 0.45rem 1rem; border-radius: 0.25rem; box-shadow: 0 2px 0 #55150b;
  background: #b10e1e; color: #ffffff !important; font-weight: 700; font-size: 1rem; line-height: 1.25;
  text-decoration: none !important;
}
a.hubdash-quick-exit:hover { background: #8f0b18; }
a.hubdash-quick-exit:focus-visible { outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: 0 4px 0 #0b0c0c; }
.hubdash-quick-exit-hint { font-weight: 400; font-size: 0.8rem; }
@media (hover: none), (max-width: 640px) {
  a.hubdash-quick-exit { top: 0.5rem; right: 3rem; }
  .hubdash-quick-exit-hint { display: none; }
}
"""

_QUICK_EXIT_JS = """
(() => {
  if (window.hubdashQuickExit) return;
  window.hubdashQuickExit = true;
  const button = () => document.querySelector("a.hubdash-quick-exit");
  const leave = (event) => {
    const exit = button();
    if (!exit) return;
    event.preventDefault();
    const noReferrer = document.createElement("meta");
    noReferrer.name = "referrer";
    noReferrer.content = "no-referrer";
    document.head.append(noReferrer);
    document.title = "";
    document.body.replaceChildren();
    window.top.location.replace(exit.href);
  };
  const onButton = (event) => event.target.closest && event.target.closest("a.hubdash-quick-exit");
  document.addEventListener("pointerdown", (event) => {
    if (event.button === 0 && onButton(event)) leave(event);
  }, true);
  document.addEventListener("click", (event) => {
    if (onButton(event)) leave(event);
  }, true);
  let presses = 0, timer = null, lastKeyWasModified = false;
  document.addEventListener("keyup", (event) => {
    if (event.key === "Shift" && !lastKeyWasModified) {
      presses += 1;
      clearTimeout(timer);
      timer = setTimeout(() => { presses = 0; }, 5000);
      if (presses >= 3) leave(event);
    } else {
      presses = 0;
    }
    lastKeyWasModified = event.shiftKey;
  }, true);
  const syncLanguage = () => {
    const lang = button()?.dataset.lang || "en";
    if (document.documentElement.lang !== lang) document.documentElement.lang = lang;
  };
  new MutationObserver(syncLanguage).observe(document.body, { childList: true, subtree: true });
  syncLanguage();
})();
"""


def hub_names() -> dict[str, str]:
    hubs = data.run("hubs")
    return dict(zip(hubs["hub"], hubs["name"]))


def about_options() -> list[str]:
    """What a feedback can be about: in general, a service line, or a hub."""
    return [GENERAL, *SERVICE_LINES, *hub_names()]


def about_label(lang: str, about: str) -> str:
    if about == GENERAL:
        return t(lang, "form.about.general")
    if about in SERVICE_LINES:
        return t(lang, f"service_line.{about}")
    return t(lang, "form.about.hub", name=hub_names().get(about, about))


def feeling_label(lang: str, feeling: int | None) -> str:
    return t(lang, "feeling.none" if feeling is None or pd.isna(feeling) else f"feeling.{int(feeling)}")


def respondent_label(lang: str, respondent: str) -> str:
    return t(lang, f"respondent.{respondent}")
