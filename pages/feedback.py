"""Give feedback: anonymous, in the reader's language, with a quick exit, showing exactly what is stored before it is.

Three steps: write, check what will be stored, sent. The form's token is drawn
with the draft and kept until the person starts another, so a double click or a
re-sent step stores one feedback (the store answers a known token with its
first receipt). What people write is shown with st.text only, never as Markdown
or HTML.
"""

import uuid

import streamlit as st

from dashboard.markdownsafe import markdown_text
from dashboard.web import feedback_ui, ui
from feedback.i18n import LANGUAGES, t
from feedback.store import FEELINGS, GENERAL, MAX_TEXT, RESPONDENTS, FeedbackError

ui.require_page("feedback")
lang = feedback_ui.language_picker()
feedback_ui.quick_exit(lang)
store = feedback_ui.store()

FORM = "feedback-form"
NOT_SAID = "not_said"  # "I'd rather not say": the store's respondent of that name, and the feeling radio's
# stand-in for the store's None (a radio reads None as nothing chosen)
DEFAULTS = {"about": GENERAL, "text": "", "feeling": NOT_SAID, "respondent": NOT_SAID}


def new_form() -> dict:
    return {"token": uuid.uuid4().hex, "step": "write", "draft": dict(DEFAULTS)}


form = st.session_state.setdefault(FORM, new_form())


def stored_form(draft: dict) -> dict:
    """The draft as the store takes it."""
    return {**draft, "feeling": None if draft["feeling"] == NOT_SAID else draft["feeling"], "language": lang}


def refusal(error: FeedbackError) -> None:
    st.error(t(lang, error.key, **error.fmt), icon=":material/error:")


def field_key(field: str) -> str:
    """A choice's widget is keyed by language too: Streamlit keeps a choice as its label, so the same
    widget would lose it when the labels change language. The draft carries it from one to the next."""
    return f"feedback-{field}" if field == "text" else f"feedback-{field}-{lang}"


def keep(field: str, key: str) -> None:
    form["draft"][field] = st.session_state[key]


def ask(widget, field: str, label: str, **options) -> None:
    """Draw one field of the form, showing what the draft holds."""
    key = field_key(field)
    st.session_state.setdefault(key, form["draft"][field])
    widget(label, key=key, on_change=keep, args=(field, key), **options)


st.title(t(lang, "form.title"))
st.markdown(t(lang, "form.intro"))
st.warning(t(lang, "form.safety"), icon=":material/emergency:")

if form["step"] == "write":
    ask(
        st.selectbox,
        "about",
        t(lang, "form.about"),
        options=feedback_ui.about_options(),
        format_func=lambda about: feedback_ui.about_label(lang, about),
        help=t(lang, "form.about_help"),
    )
    ask(st.text_area, "text", t(lang, "form.text"), height=180)
    st.markdown(t(lang, "form.text_help", max=MAX_TEXT))
    ask(
        st.radio,
        "feeling",
        t(lang, "form.feeling"),
        options=[*FEELINGS, NOT_SAID],
        horizontal=True,
        format_func=lambda feeling: feedback_ui.feeling_label(lang, None if feeling == NOT_SAID else feeling),
    )
    ask(
        st.radio,
        "respondent",
        t(lang, "form.respondent"),
        options=RESPONDENTS,
        format_func=lambda respondent: feedback_ui.respondent_label(lang, respondent),
    )
    if st.button(t(lang, "form.preview"), type="primary", key="feedback-check"):
        try:
            store.preview(**stored_form(form["draft"]))
        except FeedbackError as error:
            refusal(error)
        else:
            form["step"] = "check"
            st.rerun()

elif form["step"] == "check":
    try:
        preview = store.preview(**stored_form(form["draft"]))
    except FeedbackError as error:  # a checked draft passes again; should it not, say why rather than fail
        refusal(error)
        st.stop()
    st.header(t(lang, "form.stored_title"))
    st.markdown(t(lang, "form.stored_body", week=preview.week))
    st.markdown(f"**{t(lang, 'form.text')}**")
    with st.container(border=True):
        st.text(preview.text)
    if preview.removed:
        removed = ", ".join(t(lang, f"removed.{kind}") for kind in preview.removed)
        st.info(f"{t(lang, 'form.removed_intro')} {removed}", icon=":material/visibility_off:")
    else:
        st.markdown(t(lang, "form.nothing_removed"))
    choices = {
        t(lang, "form.about"): feedback_ui.about_label(lang, preview.about),
        t(lang, "form.feeling"): feedback_ui.feeling_label(lang, preview.feeling),
        t(lang, "form.respondent"): feedback_ui.respondent_label(lang, preview.respondent),
        t(lang, "form.language"): LANGUAGES[preview.language],
        t(lang, "form.week"): preview.week,
    }
    st.markdown("\n".join(f"- **{question}** {markdown_text(answer)}" for question, answer in choices.items()))
    st.header(t(lang, "form.not_stored_title"))
    st.markdown(t(lang, "form.not_stored_body"))
    buttons = st.container(horizontal=True)
    if buttons.button(t(lang, "form.submit"), type="primary", key="feedback-send", icon=":material/send:"):
        try:
            store.submit(**stored_form(form["draft"]), token=form["token"])
        except FeedbackError as error:
            refusal(error)
        else:
            form.update(step="sent", draft=dict(DEFAULTS))  # the words are stored: keep no other copy
            st.rerun()
    if buttons.button(t(lang, "form.edit"), key="feedback-change", icon=":material/edit:"):
        form["step"] = "write"
        st.rerun()

else:
    st.success(f"**{t(lang, 'form.thanks_title')}**  \n{t(lang, 'form.thanks_body')}", icon=":material/check_circle:")
    if st.button(t(lang, "form.another"), key="feedback-another"):
        st.session_state[FORM] = new_form()
        st.rerun()
