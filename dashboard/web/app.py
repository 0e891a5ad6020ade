"""The Streamlit entry script: who is this, then only the pages their roles allow.

It lives in dashboard/web/, away from pages/: Streamlit serves the files of a pages/
folder that sits beside the entry script by URL without running the entry
script, which would skip every gate here.

A page the viewer may not see is still routed at its URL, but to the sign-in
form, so a typed or bookmarked URL never falls back silently to another page and
never draws a figure. The session is restored from the cookie before the
navigation is built, so reloading a deep link stays on it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import paths
from dashboard.identity import access, auth
from dashboard.markdownsafe import markdown_text
from dashboard.read import data
from dashboard.web import first_start, ui

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"

# No page icons on st.Page or here: Streamlit fetches a material icon's favicon from Google.
# The sidebar links keep theirs: those come from the bundled font.
st.set_page_config(page_title="Hub Dashboard", layout="wide")
st.html(ui.TABLE_STYLE)

if not paths.warehouse().exists():
    first_start.show_progress()
    st.stop()

viewer = auth.current_viewer(data.hub_ids())
auth.sign_out_button(viewer)


def _locked(page: access.Page):
    def show() -> None:
        ui.refuse(page, viewer)

    return st.Page(show, title=page.title, url_path=page.path)


def _sign_in() -> None:
    st.title("Sign in")
    if viewer.roles:
        st.success(f"You are signed in as {markdown_text(viewer.username)}. Choose a page in the menu.")
    elif viewer.signed_in:
        st.info(
            f"You are signed in as {markdown_text(viewer.username)}, but this dashboard has given you no role, so "
            "you see the public pages only. An administrator can give you one in the users file."
        )
    else:
        ui.sign_in()


routes = {
    page.path: (
        st.Page(PAGES_DIR / page.file, title=page.title, url_path=page.path, default=page.path == "summary")
        if access.may_see(page, viewer.roles)
        else _locked(page)
    )
    for page in access.PAGES
}
routes["sign-in"] = st.Page(_sign_in, title="Sign in", url_path="sign-in")
current = st.navigation(list(routes.values()), position="hidden")

with st.sidebar:
    st.markdown("### Hub Dashboard")
    for page in access.visible_pages(viewer.roles):
        st.page_link(routes[page.path], label=page.title, icon=page.icon)
    if not viewer.signed_in:
        st.page_link(routes["sign-in"], label="Sign in", icon=":material/login:")

current.run()
