"""You said, we did: the themes people raised, how often, what was done, and what changed in the figures.

Public. Nothing anyone wrote appears; counts below K say "fewer than K"; a
measure the reader may not see (below region level, for the public) says so
instead of showing a figure.
"""

import streamlit as st

from dashboard.markdownsafe import markdown_text
from dashboard.read import metrics
from dashboard.web import feedback_ui, ui
from feedback import cycles
from feedback.i18n import t

viewer = ui.require_page("you-said-we-did")
lang = feedback_ui.language_picker()
feedback_ui.quick_exit(lang)
store = feedback_ui.store()

st.title(t(lang, "board.title"))
st.markdown(t(lang, "board.intro"))

board = cycles.public_board(store, ui.threshold(), lambda spec: metrics.metric_series(spec, viewer), lang)
if not board:
    st.info(t(lang, "board.empty"))
for entry in board:
    with st.container(border=True):
        st.subheader(f"{t(lang, 'board.theme')}: {markdown_text(entry.theme)}")
        st.markdown(t(lang, "board.count", count=entry.count_label))
        st.markdown(f"**{t(lang, 'board.we_did')}**")
        if not entry.actions:
            st.markdown(t(lang, "board.not_yet"))
        for action in entry.actions:
            title = markdown_text(action.title)
            if action.done:
                lines = [
                    f"**{title}**",
                    markdown_text(action.act),
                    f"**{t(lang, 'board.outcome')}** {markdown_text(action.outcome)}",
                ]
            else:
                lines = [t(lang, "board.in_progress", title=title)]
            lines.append(markdown_text(action.board_change(lang)))
            st.markdown("  \n".join(line for line in lines if line))
