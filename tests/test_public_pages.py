"""The public summary and the data governance page, as a visitor sees them without signing in.

Every expected figure is read here straight from the published release file, not
through the app's queries, so the page is checked against the warehouse itself.
"""

from __future__ import annotations

import io
import re

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from apptest import app, open_page, sign_in

from dashboard.csvsafe import to_csv_bytes
from dashboard.identity import access
from dashboard.web import public_summary
from feedback import store


@pytest.fixture
def warehouse(published):
    con = duckdb.connect(str(published / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def value(con, topic: str, measure: str, period_level: str, period: str, geo_level: str, geo: str, **breakdown):
    """One published cell: its value, or None where it is suppressed (or was never published)."""
    key = {"service_line": "all", "language": "all", "funding_stream": "all", "outcome": "all", **breakdown}
    row = con.execute(
        "SELECT value FROM cells WHERE topic = ? AND measure = ? AND period_level = ? AND period = ? AND geo_level = ? "
        "AND geo = ? AND service_line = ? AND language = ? AND funding_stream = ? AND outcome = ?",
        [topic, measure, period_level, period, geo_level, geo, *key.values()],
    ).fetchone()
    return None if row is None else row[0]


def threshold(con) -> int:
    return con.execute("SELECT threshold FROM release").fetchone()[0]


def periods(con, period_level: str) -> list[str]:
    return [
        p
        for (p,) in con.execute(
            "SELECT DISTINCT period FROM cells WHERE period_level = ? ORDER BY 1", [period_level]
        ).fetchall()
    ]


def expected_headlines(con, period_level: str, period: str, geo_level: str, geo: str) -> dict[str, str]:
    """The five headline figures, as the page must show them."""
    k = threshold(con)

    def get(topic, measure):
        return value(con, topic, measure, period_level, period, geo_level, geo)

    def rate(numerator, denominator):
        if None in (numerator, denominator):
            return "hidden"
        return "not shown" if denominator < k else f"{numerator / denominator:.0%}"

    def count(n):
        return "hidden" if n is None else f"{n:,}"

    return {
        "Referrals made": count(get("referrals", "referred")),
        "Referrals completed": count(get("referrals", "completed")),
        "Share completed": rate(get("referrals", "completed"), get("referrals", "accepted")),
        "Interpreter coverage": rate(
            get("language_access", "appointments_with_interpreter"),
            get("language_access", "appointments_needing_interpreter"),
        ),
        "Budget spent": f"{get('funding', 'spent') / get('funding', 'budget'):.0%}",
    }


def is_hidden_count(text) -> bool:
    """A hidden count as a table shows it: 'hidden (19–114)', or 'suppressed' where no range is known (a hidden
    rate's range is in percent)."""
    return text == "suppressed" or (str(text).startswith("hidden (") and "%" not in text)


def choose(at, period_level: str, period: str, geo_level: str, geo: str):
    at.radio(key="summary-level").set_value(period_level).run()
    at.selectbox(key=f"summary-period-{period_level}").set_value(period).run()
    return at.selectbox(key="summary-where").set_value((geo_level, geo)).run()


def every_text(at) -> str:
    """Every piece of text the page holds: prose, figures, tables, options, labels, and the data behind charts."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        texts += [element.value for element in at.get(kind)]
    texts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    texts += [element.label for element in at.expander]
    texts += [element.proto.label for element in at.get("download_button")]
    for widget in (*at.selectbox, *at.radio):
        texts += [widget.label, *map(str, widget.options)]
    for frame in at.table:
        texts += [frame.value.to_csv()]
    for chart in at.get("vega_lite_chart"):
        texts += [chart.proto.spec]
        texts += [pa.ipc.open_stream(d.data.data).read_pandas().to_csv() for d in chart.proto.datasets]
    return "\n".join(texts)


def test_the_landing_page_is_the_public_summary_for_a_visitor(published):
    at = app()
    assert not at.exception
    assert at.title[0].value == "How the network is doing"


def test_headline_figures_match_the_warehouse_for_the_network_in_the_latest_year(warehouse):
    at = app()
    latest = periods(warehouse, "year")[-1]
    shown = {m.label: m.value for m in at.metric}
    assert shown == expected_headlines(warehouse, "year", latest, "network", "network")


def test_headline_figures_match_the_warehouse_for_a_region_and_quarter(warehouse):
    region = warehouse.execute("SELECT min(region) FROM hubs").fetchone()[0]
    quarter = periods(warehouse, "quarter")[-2]
    at = choose(app(), "quarter", quarter, "region", region)
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == expected_headlines(warehouse, "quarter", quarter, "region", region)


def test_a_hidden_headline_count_says_between_which_figures_the_published_ones_put_it(warehouse):
    """Read from the release's stored ranges: the card says 'hidden', and under it the range, instead of a gap."""
    row = warehouse.execute(
        "SELECT r.period_level, r.period, r.geo, r.lower, r.upper FROM ranges r JOIN cells c USING (topic, measure, "
        "period_level, period, geo_level, geo, service_line, language, funding_stream, outcome) "
        "WHERE topic = 'referrals' AND measure = 'completed' AND geo_level = 'region' AND period_level = 'quarter' "
        "AND service_line = 'all' AND language = 'all' AND c.suppressed ORDER BY r.period DESC LIMIT 1"
    ).fetchone()
    assert row is not None, "the seed hides some region's quarterly completed referrals"
    period_level, period, region, lower, upper = row
    at = choose(app(), period_level, period, "region", region)
    card = next(m for m in at.metric if m.label == "Referrals completed")
    assert card.value == "hidden"
    if upper is None:
        assert card.delta == f"{lower:,} or more"
    else:
        assert card.delta == (f"exactly {lower:,}" if lower == upper else f"between {lower:,} and {upper:,}")


def test_a_change_is_the_difference_of_two_published_figures_a_year_apart(warehouse):
    at = app()
    latest, earlier = periods(warehouse, "year")[-1], periods(warehouse, "year")[-2]
    now = value(warehouse, "referrals", "referred", "year", latest, "network", "network")
    before = value(warehouse, "referrals", "referred", "year", earlier, "network", "network")
    made = next(m for m in at.metric if m.label == "Referrals made")
    assert made.delta == f"{now - before:+,}"


def test_in_the_first_year_nothing_is_compared(warehouse):
    first = periods(warehouse, "year")[0]
    at = choose(app(), "year", first, "network", "network")
    assert at.metric and all(not m.delta for m in at.metric)
    assert any(
        f"No figures for {int(first) - 1} were published, so nothing is compared." in m.value for m in at.markdown
    )


def test_a_rate_is_compared_only_where_both_years_are_published(warehouse):
    """Where either year's rate is withheld, the table says 'not compared' instead of a change."""
    year = periods(warehouse, "year")[-1]
    now, before = f"Share completed, {year}", f"Share completed, {int(year) - 1}"
    places = [("network", "network")] + warehouse.execute(
        "SELECT DISTINCT 'region', region FROM hubs ORDER BY 2"
    ).fetchall()
    for geo_level, geo in places:
        at = choose(app(), "year", year, geo_level, geo)
        table = next(d.value for d in at.table if "Service line" in d.value.columns)
        withheld = ~(table[now].str.fullmatch(r"\d+%") & table[before].str.fullmatch(r"\d+%"))
        if withheld.any() and (~withheld).any():
            break
    assert withheld.any() and (~withheld).any(), "the seed should give both cases in some place's view"
    assert (table.loc[withheld, "Change"] == "not compared").all()
    for _, row in table[~withheld].iterrows():
        points = int(row[now].rstrip("%")) - int(row[before].rstrip("%"))
        words = (
            "no change"
            if points == 0
            else f"{'up' if points > 0 else 'down'} {abs(points)} point{'s' * (abs(points) != 1)}"
        )
        assert row["Change"] == words


def test_the_summary_offers_only_the_network_and_regions(warehouse):
    regions = [r for (r,) in warehouse.execute("SELECT DISTINCT region FROM hubs ORDER BY 1").fetchall()]
    at = app()
    assert at.selectbox(key="summary-where").options == ["Whole network", *(f"Region: {r}" for r in regions)]


@pytest.mark.parametrize("period_level", ["year", "quarter"])
def test_no_hub_appears_anywhere_on_the_summary(warehouse, period_level):
    hubs = warehouse.execute("SELECT hub, name FROM hubs").fetchall()
    at = app()
    for option in at.selectbox(key="summary-where").options:
        at = choose(at, period_level, periods(warehouse, period_level)[-1], *_place(option))
        text = every_text(at)
        for slug, name in hubs:
            assert name not in text
            assert not re.search(rf"\b{re.escape(slug)}\b", text, re.IGNORECASE), f"hub {slug} shown on {option}"


def test_the_all_figures_download_holds_every_table_on_the_page(warehouse):
    region = warehouse.execute(  # the busiest region: some of its rates are published, some not
        "SELECT geo FROM cells WHERE topic = 'referrals' AND measure = 'referred' AND period_level = 'year' "
        "AND geo_level = 'region' AND service_line = 'all' AND language = 'all' ORDER BY value DESC NULLS LAST LIMIT 1"
    ).fetchone()[0]
    year = periods(warehouse, "year")[-1]
    at = choose(app(), "year", year, "region", region)
    every = public_summary.all_figures(public_summary.gather("region", region, "year", year))
    for frame in (d.value for d in at.table):
        shown = frame.melt(id_vars=[frame.columns[0]], var_name="Figure", value_name="Shown")
        shown.columns = ["Group", "Figure", "Shown"]
        assert shown.merge(every, how="left", indicator=True)["_merge"].eq("both").all()
    assert every["Shown"].map(is_hidden_count).sum() == sum(
        int(d.value.map(is_hidden_count).sum().sum()) for d in at.table
    )


def test_the_all_figures_download_holds_numbers_a_spreadsheet_can_add(warehouse):
    """Counts as whole numbers straight from the release, rates in percent, a hidden figure empty beside the words
    the page shows for it: not '2,172' or '57%'."""
    year = periods(warehouse, "year")[-1]
    every = public_summary.all_figures(public_summary.gather("network", "network", "year", year))
    rows = pd.read_csv(io.BytesIO(to_csv_bytes(every)), encoding="utf-8-sig")
    made = rows[(rows["Table"] == "Headline figures") & (rows["Group"] == "Referrals made") & (rows["Figure"] == year)]
    assert made["Value"].tolist() == [value(warehouse, "referrals", "referred", "year", year, "network", "network")]
    lines = rows[(rows["Table"] == "Referrals by service line") & (rows["Figure"] == "Referred")]
    for line in lines.itertuples():
        if line.Shown.startswith("hidden ("):
            assert pd.isna(line.Value) and line.Unit == "count"
        else:
            assert line.Value == int(line.Shown.replace(",", ""))
    rates = rows[rows["Unit"] == "percent"].dropna(subset=["Value"])
    assert len(rates) and rates["Value"].between(0, 1000).all()
    assert all(abs(v - int(s.rstrip("%"))) <= 0.5 for v, s in zip(rates["Value"], rates["Shown"]))


def test_a_hub_scoped_leader_sees_the_same_public_summary(warehouse):
    """The public summary reads as a visitor, whoever is signed in: regions stay on offer, hubs do not appear."""
    at = sign_in(open_page(app(), "sign-in"), "hublead", "hublead-demo")
    at = open_page(at, "")
    assert not at.exception
    assert "Region:" in " ".join(at.selectbox(key="summary-where").options)
    latest = periods(warehouse, "year")[-1]
    assert {m.label: m.value for m in at.metric} == expected_headlines(warehouse, "year", latest, "network", "network")


def test_the_page_counts_the_suppressed_figures_it_shows(warehouse):
    region = warehouse.execute("SELECT min(region) FROM hubs").fetchone()[0]
    at = choose(app(), "year", periods(warehouse, "year")[-1], "region", region)
    suppressed = sum(int(d.value.map(is_hidden_count).sum().sum()) for d in at.table)
    assert suppressed > 0
    assert any(c.value.startswith(f"{suppressed} figure(s) on this view are suppressed.") for c in at.caption)


def test_governance_shows_the_threshold_of_the_release_in_force(warehouse):
    at = open_page(app(), "governance")
    assert not at.exception
    assert any(f"The threshold in force is **{threshold(warehouse)}**" in m.value for m in at.markdown)


def test_governance_role_table_is_exactly_the_access_configuration(published):
    at = open_page(app(), "governance")
    table = next(d.value for d in at.table if "Page" in d.value.columns)
    expected = pd.DataFrame(
        [
            [
                p.title,
                "yes" if not p.roles else "no",
                *("yes" if not p.roles or role in p.roles else "no" for role in access.ROLES),
            ]
            for p in access.PAGES
        ],
        columns=list(table.columns),
    )
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected)
    assert list(table.columns[2:]) == [role.capitalize() for role in access.ROLES]


def test_governance_states_the_feedback_store_limits_from_the_store_itself(published):
    at = open_page(app(), "governance")
    text = " ".join(m.value for m in at.markdown)
    assert f"at most {store.MAX_TEXT:,} characters" in text
    assert f"erased {store.DEFAULT_RETENTION_DAYS} days after it is closed" in text


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_governance_says_which_feedback_store_is_in_use_and_what_each_keeps(published, monkeypatch, request, kind):
    """The database's address is the server's business, not the page's."""
    url = request.getfixturevalue("postgres").new_store() if kind == "postgresql" else None
    if url:
        monkeypatch.setenv("HUBDASH_FEEDBACK_URL", url)
    else:
        monkeypatch.delenv("HUBDASH_FEEDBACK_URL", raising=False)
    at = open_page(app(), "governance")
    stores = next(m.value for m in at.markdown if m.value.startswith("Where feedback is kept"))
    in_use, not_in_use = stores.split("- In use here: ")[1].split("- Not in use here: ")
    assert in_use.startswith("**A PostgreSQL database**" if url else "**A DuckDB file**")
    assert not_in_use.startswith("**A DuckDB file**" if url else "**A PostgreSQL database**")
    assert "write-ahead log" in stores and "retention period" in stores
    if url:
        assert url not in stores and "127.0.0.1" not in stores


def test_governance_names_no_hub(warehouse):
    at = open_page(app(), "governance")
    text = every_text(at)
    for slug, name in warehouse.execute("SELECT hub, name FROM hubs").fetchall():
        assert name not in text and not re.search(rf"\b{re.escape(slug)}\b", text, re.IGNORECASE)


def _place(option: str) -> tuple[str, str]:
    return ("network", "network") if option == "Whole network" else ("region", option.removeprefix("Region: "))
