"""Feedback review: the queue, its themes, each feedback's status and the reviewers' notes.

What people wrote is shown in a table cell or with st.text, never as Markdown
or HTML; names that reviewers type (themes) are escaped where Markdown shows them.
"""

import pandas as pd
import streamlit as st

from dashboard.read import labels
from dashboard.web import feedback_ui, ui
from feedback import review
from feedback.i18n import LANGUAGES

ui.require_page("review")
store = feedback_ui.store()

STATUS_LABELS = {
    "new": "New",
    "reviewed": "Reviewed",
    "in_cycle": "In a cycle",
    "addressed": "Addressed",
    "closed": "Closed",
}
ERASED = "(erased after the retention period)"


def about(code: str) -> str:
    return feedback_ui.about_label("en", code)


ANY = "any"  # a filter's "no filter": a selectbox shows None as nothing chosen


def any_or(label):
    return lambda value: "Any" if value == ANY else label(value)


st.title("Feedback review")
st.markdown(
    "What people sent, with contact details already removed. Notes stay with the reviewers: "
    "they are never shown with the feedback on the public board."
)
feedback_ui.say_done()

themes = review.themes(store)
theme_names = dict(zip(themes["id"], themes["name"]))

columns = st.columns(5)
chosen_filters = {
    "status": columns[0].selectbox(
        "Status", [ANY, *review.STATUSES], format_func=any_or(STATUS_LABELS.get), key="review-status"
    ),
    "theme": columns[1].selectbox(
        "Theme", [ANY, *theme_names], format_func=any_or(theme_names.get), key="review-theme"
    ),
    "about": columns[2].selectbox(
        "About",
        [ANY, *feedback_ui.about_options()],
        format_func=any_or(about),
        key="review-about",
        help="A service line, a hub, or in general",
    ),
    "language": columns[3].selectbox(
        "Language", [ANY, *LANGUAGES], format_func=any_or(labels.language), key="review-language"
    ),
    "week": columns[4].selectbox("Week", [ANY, *review.weeks(store)], format_func=any_or(str), key="review-week"),
}
filters = {name: None if value == ANY else value for name, value in chosen_filters.items()}
queue = review.queue(store, **filters)

st.subheader(f"Queue: {len(queue)} feedback")
if queue.empty:
    st.info("No feedback matches these filters.")
else:
    shown = pd.DataFrame(
        {
            "#": range(1, len(queue) + 1),
            "Week": queue["week"],
            "Status": queue["status"].map(STATUS_LABELS),
            "About": queue["about"].map(about),
            "Language": queue["language"].map(labels.language),
            "From": queue["respondent"].map(lambda r: feedback_ui.respondent_label("en", r)),
            "Feeling": queue["feeling"].map(lambda f: feedback_ui.feeling_label("en", f)),
            "Themes": queue["themes"],
            "Feedback": queue["text"].fillna(ERASED),
        }
    )
    st.dataframe(
        shown, hide_index=True, width="stretch", column_config={"Feedback": st.column_config.TextColumn(width="large")}
    )
st.download_button(
    "Download the queue as CSV",
    data=review.export_queue_csv(store, **filters),
    file_name="feedback-queue.csv",
    mime="text/csv",
    icon=":material/download:",
    key="review-csv",
)

if not queue.empty:
    st.subheader("Work on one feedback")
    position = {feedback_id: n for n, feedback_id in enumerate(queue["id"], start=1)}
    rows = queue.set_index("id")
    chosen = st.selectbox(
        "Feedback",
        list(rows.index),
        key="review-chosen",
        format_func=lambda i: (
            f"#{position[i]} · {rows.at[i, 'week']} · {about(rows.at[i, 'about'])} · {STATUS_LABELS[rows.at[i, 'status']]}"
        ),
    )
    row = rows.loc[chosen]
    with st.container(border=True):
        st.text(row["text"] if pd.notna(row["text"]) else ERASED)
    st.markdown(
        f"Written in {labels.language(row['language'])} · From: {feedback_ui.respondent_label('en', row['respondent'])} · "
        f"Feeling: {feedback_ui.feeling_label('en', row['feeling'])} · Status: {STATUS_LABELS[row['status']]}"
    )

    left, middle, right = st.columns(3, gap="large")
    with left:
        current = review.themes_of(store, chosen)
        picked = st.multiselect(
            "Themes", list(theme_names), default=current, format_func=theme_names.get, key=f"review-themes-{chosen}"
        )
        if st.button("Save themes", key="review-save-themes", disabled=not theme_names):
            feedback_ui.attempt(lambda: review.set_themes(store, chosen, picked), "Themes saved.")
        if not theme_names:
            st.markdown("Add a theme below first.")
    with middle:
        moves = review.TRANSITIONS[row["status"]]
        if moves:
            target = st.selectbox("Move to", moves, format_func=STATUS_LABELS.get, key=f"review-move-{chosen}")
            if st.button("Move", key="review-move"):
                feedback_ui.attempt(
                    lambda: review.set_status(store, chosen, target), f"Moved to {STATUS_LABELS[target].lower()}."
                )
        else:
            st.markdown("**Status**")
            st.markdown("Closed is final. The text is erased after the retention period; the themes and counts stay.")
    with right:
        with st.form("review-note", clear_on_submit=True, border=False):
            note = st.text_area("Add a reviewer note", height=100, key="review-note-text")
            if st.form_submit_button("Add note"):
                feedback_ui.attempt(lambda: review.add_note(store, chosen, note), "Note added.")
        for entry in review.notes(store, chosen).itertuples():
            st.markdown(f"**Note {entry.n}**, {entry.week}")
            st.text(entry.note)

st.subheader("Themes")
if themes.empty:
    st.markdown("No themes yet.")
else:
    st.dataframe(
        themes[["name", "feedback"]].rename(columns={"name": "Theme", "feedback": "Feedback"}), hide_index=True
    )
add, merge = st.columns(2, gap="large")
with add:
    with st.form("review-add-theme", clear_on_submit=True, border=False):
        name = st.text_input("New theme", key="review-new-theme")
        if st.form_submit_button("Add theme"):
            feedback_ui.attempt(lambda: review.add_theme(store, name), "Theme added.")
with merge:
    if len(theme_names) >= 2:
        source = st.selectbox(
            "Merge the theme", list(theme_names), format_func=theme_names.get, key="review-merge-source"
        )
        into = st.selectbox("into", list(theme_names), index=1, format_func=theme_names.get, key="review-merge-into")
        if st.button("Merge themes", key="review-merge"):
            feedback_ui.attempt(lambda: review.merge_themes(store, source, into), "Themes merged.")
