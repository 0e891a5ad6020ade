"""The leadership pages (referral gaps, language access, funding use, outcomes), driven in AppTest.

Who sees figures, and whether the figures shown are the warehouse's: every expected
value is read from the release file with DuckDB directly, not through the app's
queries, and formatted the way a reader sees it.
"""

from __future__ import annotations

import io
import json
import os
import re

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from apptest import app, open_page, sign_in

from dashboard.identity import users
from dashboard.identity.auth import Viewer
from dashboard.read import data, labels

PAGES = ("referrals", "language-access", "funding", "outcomes")
FILTER_KEY = {"referrals": "referrals", "language-access": "language", "funding": "funding", "outcomes": "outcomes"}
"""The key prefix of each page's filters."""


# Reading the warehouse independently


def warehouse(published, sql: str, *params) -> pd.DataFrame:
    with duckdb.connect(os.path.realpath(published / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def threshold(published) -> int:
    return int(warehouse(published, "SELECT threshold FROM release")["threshold"].iloc[0])


def years(published) -> list[str]:
    return warehouse(published, "SELECT DISTINCT period FROM cells WHERE period_level = 'year' ORDER BY period")[
        "period"
    ].tolist()


def count(value) -> str:
    return "suppressed" if pd.isna(value) else f"{int(value):,}"


def rate(numerator, denominator, k: int) -> str:
    """The rate rule: shown only where both parts are published and the base is at least K."""
    if pd.isna(numerator) or pd.isna(denominator) or denominator < k:
        return "not shown"
    return f"{numerator / denominator:.0%}"


def cells(published, topic: str, **where) -> pd.DataFrame:
    """Published cells of one topic, one column per measure."""
    clauses = " AND ".join(f"{column} = ?" for column in where)
    frame = warehouse(published, f"SELECT * FROM cells WHERE topic = ? AND {clauses}", topic, *where.values())
    keys = [c for c in ("period", "geo", "service_line", "language", "funding_stream", "outcome") if c not in where]
    return frame.pivot(index=keys, columns="measure", values="value").reset_index()


# Reading the page


def leader_on(page: str):
    return sign_in(open_page(app(), page), "leader", "leader-demo")


def elements(node):
    """Every element on the main part of the page, in the order drawn."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from elements(child)


def tables(at) -> dict[str, pd.DataFrame]:
    """Each table on the page by the title drawn above it."""
    found, title = {}, None
    for element in elements(at.main):
        if element.type == "markdown" and re.fullmatch(r"\*\*.+\*\*", element.value):
            title = element.value.strip("*")
        elif element.type == "table":
            found[title] = element.value
    return found


def without_ranges(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with each hidden figure's range taken out ('hidden (40–75)' reads 'suppressed', a hidden rate
    'not shown'): how the published cells below say it. The ranges themselves are checked on their own."""

    def plain(text):
        if isinstance(text, str) and text.startswith("hidden ("):
            return "not shown" if text.endswith("%)") else "suppressed"
        return text

    return frame.map(plain)


def charts(at) -> list:
    return at.get("vega_lite_chart")


def chart_rows(chart) -> pd.DataFrame:
    """The data a chart draws."""
    return pd.concat(pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().to_pandas() for d in chart.proto.datasets)


def figures_shown(at) -> int:
    return len(charts(at)) + len(at.table) + len(at.metric) + len(at.get("download_button"))


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


# Who sees figures


@pytest.mark.parametrize("page", PAGES)
def test_a_visitor_who_opens_the_url_sees_the_sign_in_form_and_no_figure(published, page):
    at = open_page(app(), page)
    assert not at.exception
    assert [field.label for field in at.text_input] == ["Username", "Password"]
    assert figures_shown(at) == 0


@pytest.mark.parametrize("page", PAGES)
def test_an_advisory_member_sees_no_figure(published, page):
    at = sign_in(open_page(app(), page), "advisor", "advisor-demo")
    assert not at.exception
    assert any("may not see this page" in w.value for w in at.warning)
    assert figures_shown(at) == 0


@pytest.mark.parametrize("page", PAGES)
def test_a_leader_sees_titled_described_downloadable_charts_and_tables(published, page):
    at = leader_on(page)
    assert not at.exception
    drawn, shown = charts(at), tables(at)
    assert len(drawn) >= 2 and len(shown) >= 2
    for chart in drawn:
        assert json.loads(chart.proto.spec).get("title") and chart.proto.alt
    labels_of_downloads = [b.label for b in at.get("download_button")]
    assert sum(label.endswith("as CSV") for label in labels_of_downloads) == len(shown)
    assert sum(label == "Download chart as PNG" for label in labels_of_downloads) == len(drawn)
    first, last = years(published)[-12:][0], years(published)[-1]
    assert any(f"Years {first} to {last}" in c for c in captions(at)), "the page states its period"
    assert any(
        re.search(r"No figure on this view is suppressed|figure\(s\) on this view are suppressed", c)
        for c in captions(at)
    )


# Filters pick published views, and the figures are the warehouse's


def test_referrals_by_quarter_show_the_published_quarterly_funnel(published):
    at = leader_on("referrals")
    by_year = tables(at)["Funnel over time, Whole network"]
    at.selectbox(key="referrals-level").select("quarter").run()
    by_quarter = without_ranges(tables(at)["Funnel over time, Whole network"])

    expected = (
        cells(
            published,
            "referrals",
            period_level="quarter",
            geo_level="network",
            service_line="all",
            language="all",
            funding_stream="all",
            outcome="all",
        )
        .sort_values("period")
        .tail(12)
    )
    assert by_quarter["Period"].tolist() == expected["period"].tolist() != by_year["Period"].tolist()
    assert by_quarter["Referred"].tolist() == expected["referred"].map(count).tolist()
    assert by_quarter["Completed"].tolist() == expected["completed"].map(count).tolist()


def test_language_access_for_one_hub_shows_that_hub_interpreter_coverage(published):
    year, k = years(published)[-1], threshold(published)
    hubs = cells(
        published,
        "language_access",
        period_level="year",
        period=year,
        geo_level="hub",
        language="all",
        service_line="all",
        funding_stream="all",
        outcome="all",
    )
    busiest = hubs.sort_values("appointments_needing_interpreter").iloc[-1]["geo"]
    at = leader_on("language-access")
    title = f"Interpreter coverage by language, {year}"
    network = tables(at)[title]
    at.selectbox(key="language-geo").select(("hub", busiest)).run()
    shown = without_ranges(tables(at)[title])

    expected = cells(
        published,
        "language_access",
        period_level="year",
        period=year,
        geo_level="hub",
        geo=busiest,
        service_line="all",
        funding_stream="all",
        outcome="all",
    )
    expected = expected[
        (expected["language"] != "all") & expected["appointments_needing_interpreter"].ne(0).fillna(True)
    ]
    assert dict(
        zip(
            shown["Language"],
            zip(
                shown["Appointments needing an interpreter"],
                shown["Appointments with an interpreter"],
                shown["Interpreter coverage"],
            ),
        )
    ) == {
        labels.language(row.language): (
            count(row.appointments_needing_interpreter),
            count(row.appointments_with_interpreter),
            rate(row.appointments_with_interpreter, row.appointments_needing_interpreter, k),
        )
        for row in expected.itertuples()
    }
    assert not shown.equals(network)


def test_below_the_network_languages_off_the_fixed_list_are_read_together_as_other_languages(published):
    """A region (and a hub) shows English, Spanish and "Other languages"; the whole network every language by
    itself and no group beside them, which would count its members twice (/governance states the rule)."""
    year = years(published)[-1]
    title = f"Referrals by language, {year}"
    at = leader_on("language-access")
    network = set(tables(at)[title].iloc[:, 0])
    region = cells(published, "referrals", period_level="year", geo_level="region")["geo"].iloc[0]
    at.selectbox(key="language-geo").select(("region", region)).run()
    by_region = set(tables(at)[title].iloc[:, 0])

    assert by_region == {"English", "Spanish", "Other languages"}
    assert {"English", "Spanish", "Chinese", "Hmong"} <= network and "Other languages" not in network


def test_funding_for_a_region_shows_that_region_budget_and_spend(published):
    year = years(published)[-1]
    region = warehouse(published, "SELECT min(region) AS region FROM hubs")["region"].iloc[0]
    at = leader_on("funding")
    at.selectbox(key="funding-geo").select(("region", region)).run()
    shown = tables(at)[f"Budget and spend by funding stream, {year}"]

    expected = cells(
        published,
        "funding",
        period_level="year",
        period=year,
        geo_level="region",
        geo=region,
        service_line="all",
        language="all",
        outcome="all",
    )
    expected = expected[expected["funding_stream"] != "all"]
    assert dict(zip(shown["Funding stream"], zip(shown["Budget"], shown["Spent"]))) == {
        labels.plain(row.funding_stream): (f"{row.budget:,}", f"{row.spent:,}") for row in expected.itertuples()
    }
    assert "Region" in json.loads(charts(at)[0].proto.spec)["title"][1]


def as_read(markdown: str) -> str:
    """Markdown source as a reader sees it: the pages escape data (names, amounts) before Markdown renders it."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_funding_flags_each_stream_off_its_budget_in_plain_words(published):
    year = years(published)[-1]
    at = leader_on("funding")
    flagged = [as_read(m.value) for m in at.markdown if "budget spent" in m.value]

    streams = cells(
        published,
        "funding",
        period_level="year",
        period=year,
        geo_level="network",
        geo="network",
        service_line="all",
        language="all",
        outcome="all",
    )
    streams = streams[streams["funding_stream"] != "all"].assign(share=lambda f: f["spent"] / f["budget"])
    off = streams[(streams["share"] < 0.85) | (streams["share"] > 1.05)]
    assert len(off) >= 1, "the seed plants an under- and an overspent stream"
    assert sorted(flagged) == sorted(
        f"- {labels.plain(row.funding_stream)}: {row.share:.0%} of the {year} budget spent: "
        f"{'underspent' if row.share < 0.85 else 'overspent'}."
        for row in off.itertuples()
    )
    on_line = [as_read(m.value) for m in at.markdown if m.value.startswith("- Within 85% to 105%")]
    assert on_line == [
        f"- Within 85% to 105% of the straight line: "
        f"{', '.join(sorted(streams.drop(off.index)['funding_stream'].map(labels.plain)))}."
    ]


def test_funding_mid_year_flags_compare_spend_to_date_with_the_straight_line(published):
    year = years(published)[-1]
    at = leader_on("funding")
    at.selectbox(key="funding-level").select("quarter").run()
    at.select_slider(key="funding-range-quarter").set_range(f"{year}-Q1", f"{year}-Q2").run()
    flagged = [as_read(m.value) for m in at.markdown if "budget spent" in m.value]

    months = cells(
        published,
        "funding",
        period_level="month",
        geo_level="network",
        geo="network",
        service_line="all",
        language="all",
        outcome="all",
    )
    first_half = months[months["period"].between(f"{year}-01", f"{year}-06") & (months["funding_stream"] != "all")]
    budgets = cells(
        published,
        "funding",
        period_level="year",
        period=year,
        geo_level="network",
        geo="network",
        service_line="all",
        language="all",
        outcome="all",
    ).set_index("funding_stream")["budget"]
    share = first_half.groupby("funding_stream")["spent"].sum() / budgets.drop("all")
    off = share[(share / 0.5 < 0.85) | (share / 0.5 > 1.05)]
    assert len(off) >= 1
    assert sorted(flagged) == sorted(
        f"- {labels.plain(stream)}: {value:.0%} of the {year} budget spent by the end of June, against 50% on a "
        f"straight line: {'underspent' if value < 0.5 else 'overspent'}."
        for stream, value in off.items()
    )


def test_outcomes_of_one_hub_by_month_say_they_are_published_by_quarter_and_year(published):
    """A hub's month by outcome is not published (a handful of people per outcome): the page says so, where it
    failed with an error (the utility benchmark found it at every hub)."""
    hub = warehouse(published, "SELECT hub FROM hubs ORDER BY hub")["hub"].iloc[0]
    at = leader_on("outcomes")
    at.selectbox(key="outcomes-geo").select(("hub", hub)).run()
    at.selectbox(key="outcomes-level").select("month").run()
    assert not at.exception
    assert "not published" in at.info[0].value and "Choose quarters or years" in at.info[0].value
    assert not tables(at)


def test_outcomes_by_quarter_show_the_published_quarterly_shares(published):
    k = threshold(published)
    at = leader_on("outcomes")
    by_year = tables(at)["Outcomes over time, Whole network"]
    at.selectbox(key="outcomes-level").select("quarter").run()
    by_quarter = without_ranges(tables(at)["Outcomes over time, Whole network"])

    expected = cells(
        published,
        "outcomes",
        period_level="quarter",
        geo_level="network",
        service_line="all",
        language="all",
        funding_stream="all",
    )
    quarters = sorted(expected["period"].unique())[-12:]
    expected = expected[expected["period"].isin(quarters)]
    assert sorted(
        zip(by_quarter["Period"], by_quarter["Outcome"], by_quarter["Assessed"], by_quarter["Share achieved"])
    ) == sorted(
        (row.period, labels.plain(row.outcome), count(row.assessed), rate(row.achieved, row.assessed, k))
        for row in expected.itertuples()
    )
    assert set(by_quarter["Period"]) != set(by_year["Period"])


# Suppressed cells


@pytest.mark.parametrize(
    ("page", "choose", "topic", "measure", "table", "row_label", "column"),
    [
        (
            "referrals",
            ("referrals-by", "language"),
            "referrals",
            "referred",
            "Funnel by language, {year}",
            "Group",
            "Referred",
        ),
        (
            "language-access",
            None,
            "language_access",
            "appointments_with_interpreter",
            "Interpreter coverage by language, {year}",
            "Language",
            "Appointments with an interpreter",
        ),
    ],
)
def test_a_suppressed_count_shows_its_range_never_a_zero(
    published, page, choose, topic, measure, table, row_label, column
):
    year = years(published)[-1]
    at = leader_on(page)
    if choose:
        at.radio(key=choose[0]).set_value(choose[1]).run()
    shown = tables(at)[table.format(year=year)].set_index(row_label)[column]

    hidden = warehouse(
        published,
        "SELECT language, lower, upper FROM ranges WHERE topic = ? AND measure = ? "
        "AND period_level = 'year' AND period = ? AND geo_level = 'network' AND service_line = 'all' "
        "AND language <> 'all'",
        topic,
        measure,
        year,
    )
    hidden["language"] = hidden["language"].map(labels.language)
    assert len(hidden) >= 1, "the seed's latest year has suppressed cells by language across the network"
    for cell in hidden.itertuples():
        if pd.isna(cell.upper):
            bounds = f"{cell.lower:,} or more"
        else:
            bounds = f"{cell.lower:,}" if cell.lower == cell.upper else f"{cell.lower:,}–{int(cell.upper):,}"
        assert shown[cell.language] == f"hidden ({bounds})"
    assert any("figure(s) on this view are suppressed" in c for c in captions(at))
    drawn = pd.concat(chart_rows(c) for c in charts(at))
    ranges = drawn[drawn["_status"] == "hidden"]
    assert set(hidden["language"]) <= set(ranges["category"]), "a grey range, not a zero bar"
    assert ranges["_value"].isna().all() and ranges["_lower"].notna().all()
    # a range with no upper end ("5 or more") has none drawn; <NA> in the comparison would be skipped by all()
    assert (ranges["_upper"].isna() | (ranges["_lower"] <= ranges["_upper"])).fillna(False).all()


# A hub-scoped leader


def hub_lead(published) -> tuple[str, str]:
    first = warehouse(published, "SELECT hub, name FROM hubs ORDER BY hub LIMIT 1").iloc[0]
    return first["hub"], first["name"]


def test_a_hub_lead_is_offered_only_their_hub_and_the_whole_network(published):
    hub, name = hub_lead(published)
    at = sign_in(open_page(app(), "referrals"), "hublead", "hublead-demo")
    for page in PAGES:
        at = open_page(at, page)
        assert not at.exception
        assert at.selectbox(key=f"{FILTER_KEY[page]}-geo").options == ["Whole network", f"Hub: {name}"], page
    assert tables(at)[f"Safety improved by hub, {years(published)[-1]}"]["Hub"].tolist() == [name]


@pytest.mark.parametrize(
    ("question", "params"),
    [
        ("referral_funnel", {"breakdown": "total"}),
        ("interpreter_coverage", {"breakdown": "language"}),
        ("funding_use", {"breakdown": "funding_stream"}),
        ("spend_per_completed", {}),
        ("outcomes", {}),
    ],
)
def test_a_hub_lead_cannot_get_another_hub_figures(published, question, params):
    hub, _ = hub_lead(published)
    lead = users.accounts(data.hub_ids())["hublead"]
    viewer = Viewer(lead.username, lead.roles, lead.hubs)
    other = warehouse(published, "SELECT hub FROM hubs WHERE hub <> ? ORDER BY hub LIMIT 1", hub)["hub"].iloc[0]
    region = warehouse(published, "SELECT region FROM hubs WHERE hub = ?", hub)["region"].iloc[0]
    periods = years(published)

    def ask(geo_level: str, geos: list[str]) -> pd.DataFrame:
        return data.figures(
            question, viewer, geo_level=geo_level, geos=geos, period_level="year", periods=periods, **params
        )

    assert len(ask("hub", [hub])) and len(ask("network", ["network"]))
    for geo_level, geos in (("hub", [other]), ("hub", [hub, other]), ("region", [region])):
        with pytest.raises(PermissionError):
            ask(geo_level, geos)
