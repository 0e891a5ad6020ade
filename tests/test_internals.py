"""The other packages' insides the app relies on (dashboard/internals.py), checked against the installed versions:
an upgrade that moves one fails here, by name, instead of quietly changing what the app does."""

import inspect
import subprocess
import sys
import threading

import pytest
from streamlit.elements import vega_charts
from streamlit.testing.v1 import AppTest

from dashboard import internals


def test_streamlit_still_swaps_altairs_globals_under_the_lock_we_take():
    lock = internals.altair_globals_lock()
    assert isinstance(lock, type(threading.Lock()))
    assert "with _altair_globals_lock:" in inspect.getsource(vega_charts), "Streamlit draws charts without the lock"


def authenticator_script():
    """streamlit-authenticator's own sign-in form, with our password check and cookie."""
    import streamlit as st
    import streamlit_authenticator as stauth

    from dashboard import internals

    calls = st.session_state.setdefault("calls", [])
    credentials = {"usernames": {"ana": {"password": "not a hash", "roles": []}}}
    authenticator = stauth.Authenticate(credentials, "test_cookie", "k" * 32, 1, auto_hash=False, login_sleep_time=0)
    internals.use_our_password_check_and_cookie(
        authenticator,
        lambda username, password: calls.append(("checked", username, password)) or password == "right",
        lambda: calls.append(("cookie set",)),
    )
    authenticator.login()
    st.write(repr(calls))


def test_streamlit_authenticator_signs_in_with_our_password_check_and_our_cookie_only():
    at = AppTest.from_function(authenticator_script).run()
    for password in ("wrong", "right"):
        at.text_input[0].input("ana")
        at.text_input[1].input(password)
        at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.markdown[-1].value == repr([("checked", "ana", "wrong"), ("checked", "ana", "right"), ("cookie set",)])
    assert at.session_state["authentication_status"] is True


def test_a_method_gone_from_streamlit_authenticator_is_an_error_not_a_silent_fallback():
    class Model:
        pass

    class Authenticator:
        class authentication_controller:
            authentication_model = Model()

        class cookie_controller:
            cookie_model = Model()

    with pytest.raises(RuntimeError, match="check_credentials"):
        internals.use_our_password_check_and_cookie(Authenticator(), lambda username, password: False, lambda: None)


def test_ingest_and_audit_print_nothing_of_highs(tmp_path, capfd):
    """highspy's constructor calls HiGHS before any option can be set, and HiGHS then prints its banner once per
    process (internals.quiet_highs). Fresh processes, since a process that has printed it once never prints it again."""
    from seed.generate import write_seed

    write_seed(tmp_path / "extract", hubs=3, months=3)
    hubdash = [sys.executable, "-c", "import sys; from dashboard.cli import main; sys.exit(main())"]
    warehouse = str(tmp_path / "warehouse.duckdb")
    subprocess.run([*hubdash, "ingest", str(tmp_path / "extract"), "--warehouse", warehouse], check=True)
    subprocess.run([*hubdash, "audit", "--warehouse", warehouse], check=True)
    out, err = capfd.readouterr()
    assert "release 1" in out  # the commands ran, and their output was captured
    assert "HiGHS" not in out + err
