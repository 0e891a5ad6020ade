"""Public summary: how the network and each region are doing, for funders and the public, without signing in."""

import streamlit as st

from dashboard.csvsafe import to_csv_bytes
from dashboard.markdownsafe import markdown_text
from dashboard.read import metrics
from dashboard.web import public_summary, publish, report, ui

ui.require_page("summary")

st.title(public_summary.TITLE)
st.markdown(public_summary.introduction("governance"))
if site := publish.site_url():
    st.markdown(f"Every place and period is also published as a static site, to read, print or share: [{site}]({site})")

filters = st.columns(3)
with filters[0]:
    level = st.radio(
        "Period", public_summary.PERIOD_LEVELS, format_func=ui.LEVEL_LABELS.get, horizontal=True, key="summary-level"
    )
periods = public_summary.periods(level)
if not periods:
    st.info(f"No complete {level} has been published yet.")
    st.stop()
with filters[1]:
    period = st.selectbox(ui.LEVEL_LABELS[level], periods[::-1], key=f"summary-period-{level}")
with filters[2]:
    places = public_summary.places()
    geo_level, geo = st.selectbox("Where", places, format_func=ui.place_labels(places).get, key="summary-where")

summary = public_summary.gather(geo_level, geo, level, period)
tables = {table.key: table for table in public_summary.tables(summary)}
charts = public_summary.charts(summary)


def draw_chart(key: str) -> None:
    chart = charts[key]
    if chart.figure is None:
        st.markdown(f"**{markdown_text(chart.title)}**: {public_summary.NO_FIGURE}")
    else:
        ui.chart(chart.figure, alt_text=chart.alt_text, key=key)


def draw_table(key: str) -> None:
    table = tables[key]
    ui.table(table.frame, table.title, table.key, table.counts, table.rates, table.money, table.labels)


st.header(f"{markdown_text(summary.where)} · {summary.when}")
st.markdown(summary.comparison_note)

# Three cards a row: five side by side leave each too narrow for a word like "hidden" at laptop width.
cards = [column for _ in range(0, len(summary.headlines), 3) for column in st.columns(3)]
for column, headline in zip(cards, summary.headlines):
    shown_delta = summary.delta(headline)
    if shown_delta is None:
        delta = {}
    elif metrics.change(headline.now, headline.before, headline.percent) in (None, 0):
        delta = {"delta": shown_delta, "delta_color": "off", "delta_arrow": "off"}
    else:
        delta = {"delta": shown_delta, "delta_color": "normal" if headline.rising_is_good else "off"}
    column.metric(headline.label, headline.value, border=True, **delta)
with st.expander("The headline figures as a table"):
    draw_table("summary-headlines")

st.subheader("What stands out")
for sentence in summary.findings:
    st.markdown(f"- {markdown_text(sentence)}")

st.subheader("Take it away")
downloads = st.columns(2)
downloads[0].download_button(
    "Download a one-page report (PDF)",
    data=lambda: report.pdf(summary),
    file_name=f"{summary.file_stem}.pdf",
    mime="application/pdf",
    key="summary-pdf",
    icon=":material/picture_as_pdf:",
)
downloads[1].download_button(
    "Download all figures on this page (CSV)",
    data=to_csv_bytes(public_summary.all_figures(summary)),
    file_name=f"{summary.file_stem}.csv",
    mime="text/csv",
    key="summary-all-csv",
    icon=":material/download:",
)

for heading, keys in public_summary.SECTIONS:
    st.subheader(heading)
    for key in keys:
        if key in charts:
            draw_chart(key)
        else:
            draw_table(key)

ui.suppression_status(public_summary.counts_shown(summary), ["count"])
