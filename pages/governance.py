"""Data governance: what is held and what never is, the disclosure rule, the feedback form, who sees what, how to audit.

The content is in dashboard/web/governance.py, shared with the static site.
"""

import streamlit as st

from dashboard.identity import auth
from dashboard.web import governance, ui

ui.require_page("governance")

for block in governance.blocks():
    if block.kind == "title":
        st.title(block.text)
    elif block.kind == "subheader":
        st.subheader(block.text)
    elif block.kind == "markdown":
        st.markdown(block.text)
    elif block.kind == "code":
        st.code(block.text, language=None)
    else:
        table = block.table
        ui.table(table.frame, table.title, table.key, labels=table.labels)

# This server's own configuration, so not in the shared content (the static site cannot know it).
st.subheader("How people sign in")
st.markdown("\n".join(f"- {method}" for method in auth.sign_in_methods()))
st.markdown(
    "Either way, a session ends after a while without activity, at most 12 hours after signing in, and at sign-out. "
    "Signing out here does not sign anyone out of their organisation's account."
)
