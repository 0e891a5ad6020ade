"""Public summary: how the network and each region are doing, for funders and the public, without signing in."""

import streamlit as st

from dashboard import feedback_ui, public_summary, report, ui
from dashboard.csvsafe import to_csv_bytes

ui.require_page("summary")

st.title("How the network is doing")
st.markdown(
    "Referrals, interpreter coverage, outcomes and funding across the care hubs, for the whole network and each "
    f"region. A count from 1 to {ui.threshold() - 1} is never shown, and no figure goes below region level: "
    "see [Data governance](governance) for how the figures are protected."
)

filters = st.columns(3)
with filters[0]:
    level = st.radio("Period", public_summary.PERIOD_LEVELS, format_func=ui.LEVEL_LABELS.get, horizontal=True,
                     key="summary-level")
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
        st.markdown(f"**{feedback_ui.markdown_text(chart.title)}**: no figure in this chart can be shown for this place and period.")
    else:
        ui.chart(chart.figure, alt_text=chart.alt_text, key=key)


def draw_table(key: str) -> None:
    table = tables[key]
    ui.table(table.frame, table.title, table.key, table.counts, table.rates, table.money, table.labels)


st.header(f"{feedback_ui.markdown_text(summary.where)} · {summary.when}")
if summary.earlier_published:
    st.markdown(f"Each change is against {summary.earlier}, and only between two published figures.")
else:
    st.markdown(f"No figures for {summary.earlier} were published, so nothing is compared.")

for column, headline in zip(st.columns(len(summary.headlines)), summary.headlines):
    change = public_summary.change_text(headline.now, headline.before, headline.kind, signed=True)
    if not summary.earlier_published:
        delta = {}
    elif change is None or change == "no change":
        reason = change or summary.why_not_compared(headline.now, headline.before, headline.kind)
        delta = {"delta": reason, "delta_color": "off", "delta_arrow": "off"}
    else:
        delta = {"delta": change, "delta_color": "normal" if headline.rising_is_good else "off"}
    column.metric(headline.label, public_summary.shown(headline.now, headline.kind), border=True, **delta)
with st.expander("The headline figures as a table"):
    draw_table("summary-headlines")

st.subheader("What stands out")
for sentence in summary.findings:
    st.markdown(f"- {feedback_ui.markdown_text(sentence)}")

st.subheader("Take it away")
downloads = st.columns(2)
downloads[0].download_button(
    "Download a one-page report (PDF)", data=lambda: report.pdf(summary), file_name=f"{summary.file_stem}.pdf",
    mime="application/pdf", key="summary-pdf", icon=":material/picture_as_pdf:",
)
downloads[1].download_button(
    "Download all figures on this page (CSV)", data=to_csv_bytes(public_summary.all_figures(summary)),
    file_name=f"{summary.file_stem}.csv", mime="text/csv", key="summary-all-csv", icon=":material/download:",
)

st.subheader("Referrals")
draw_chart("summary-completion-chart")
draw_table("summary-service-lines")

st.subheader("Interpreter coverage")
draw_table("summary-languages")

st.subheader("Outcomes")
draw_chart("summary-outcomes-chart")
draw_table("summary-outcomes")

st.subheader("Funding")
draw_chart("summary-funding-chart")
draw_table("summary-funding-streams")
draw_chart("summary-spending-chart")
draw_table("summary-spending")

ui.suppression_status(public_summary.counts_shown(summary), ["count"])
