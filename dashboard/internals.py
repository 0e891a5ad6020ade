"""Every place the app leans on another package's insides: what it relies on that the package does not promise.

Kept here alone, so that an upgrade that moves one of them breaks one module, and tests/test_internals.py,
which checks each against the installed package, says which.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable


def altair_globals_lock() -> threading.Lock:
    """The lock Streamlit holds while it swaps Altair's process-wide theme and data transformer for its own to draw
    a chart (streamlit.elements.vega_charts._altair_globals_lock). A chart serialised meanwhile in another thread
    comes out without its data, so ours are serialised under it too; Streamlit offers no public way to."""
    from streamlit.elements.vega_charts import _altair_globals_lock

    return _altair_globals_lock


def use_our_password_check_and_cookie(
    authenticator, check_credentials: Callable[[str, str], bool], set_cookie: Callable[[], None]
) -> None:
    """Make a streamlit_authenticator.Authenticate (0.4) check passwords with `check_credentials` and hand its
    cookie to `set_cookie`, and never read its own cookie: it has no option for either, so the methods are
    replaced on the models its controllers keep (authentication_model, cookie_model)."""
    model = authenticator.authentication_controller.authentication_model
    cookie = authenticator.cookie_controller.cookie_model
    for owner, method in ((model, "check_credentials"), (cookie, "get_cookie"), (cookie, "set_cookie")):
        if not callable(getattr(owner, method, None)):  # else the assignment below would add a method nobody calls
            raise RuntimeError(
                f"streamlit-authenticator has no {type(owner).__name__}.{method} any more: see dashboard/internals.py"
            )
    model.check_credentials = check_credentials
    cookie.get_cookie = lambda: None
    cookie.set_cookie = set_cookie


def quiet_highs():
    """A highspy.Highs that prints nothing. HiGHS prints its banner at the first call made with output on, once per
    process, and highspy's constructor makes one (enableCallbacks) before any option can be set; so output is
    turned off inside that call. Without it every ingest and audit printed the banner in each of its processes."""
    return _quiet_highs_class()()


@functools.cache
def _quiet_highs_class():
    import highspy

    class QuietHighs(highspy.Highs):
        def enableCallbacks(self):
            self.setOptionValue("output_flag", False)
            super().enableCallbacks()

    return QuietHighs
