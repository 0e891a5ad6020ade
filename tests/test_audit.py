"""The audit is the attacker: for every suppressed cell, the narrowest interval
that every published figure, together, allows."""

from __future__ import annotations

import shutil
from unittest.mock import patch

import highspy
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.hierarchy import (
    ALL,
    BREAKDOWN_COLUMNS,
    CELL_KEY,
    NETWORK,
    OTHER_LANGUAGES,
    TOPICS,
    complete_periods,
    months_of,
)
from dashboard.protection.audit import Claimed, cells_at_risk, format_report, intervals, joined_claims
from dashboard.protection.release import Release

HUBS = pd.DataFrame(
    {"hub": ["a", "b", "c"], "name": ["Hub A", "Hub B", "Hub C"], "region": ["north", "north", "south"]}
)
NORTH = HUBS[HUBS.region == "north"]


# --- A tiny publisher: every cell of the cube, with the suppression the test chooses ---


def cube(topic: str, measure: str, counts: dict[tuple, int], months, hubs: pd.DataFrame, categories) -> pd.DataFrame:
    """Every cell of the topic's cube over finest counts {(month, hub, *grain): n}; missing counts are 0."""
    grain = list(TOPICS[topic].grain)
    levels = [months, list(hubs.hub), *(categories[c] for c in grain)]
    index = pd.MultiIndex.from_product(levels, names=["month", "hub", *grain])
    finest = pd.Series(counts, dtype="int64").reindex(index, fill_value=0).reset_index(name="value")
    finest["region"] = finest.hub.map(dict(zip(hubs.hub, hubs.region)))
    finest["network"] = NETWORK
    frames = []
    for level, periods in complete_periods(months).items():
        for period in periods:
            in_period = finest[finest.month.isin(months_of(level, period))]
            for geo_level in ("hub", "region", "network"):
                for breakdown in TOPICS[topic].breakdowns:
                    sums = in_period.groupby([geo_level, *breakdown]).value.sum().reset_index()
                    frame = pd.DataFrame({"geo": sums[geo_level], "value": sums.value})
                    frame = frame.assign(
                        topic=topic, measure=measure, period_level=level, period=period, geo_level=geo_level
                    )
                    for column in BREAKDOWN_COLUMNS:
                        frame[column] = sums[column] if column in breakdown else ALL
                    frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def referrals(counts, months=("2024-01",), hubs=NORTH, service_lines=("medical", "legal"), languages=("en",)):
    categories = {"service_line": list(service_lines), "language": list(languages)}
    return cube("referrals", "referred", counts, list(months), hubs, categories)


def publish(cells: pd.DataFrame, suppressed, hubs=NORTH, threshold=11, revisions=None, number=1) -> Release:
    """A release of these cells, suppressing where `suppressed`; every block at revision 1 unless `revisions` says."""
    suppressed = np.asarray(suppressed, bool)
    published = cells.astype({c: "string" for c in CELL_KEY})[list(CELL_KEY)]
    published["value"] = pd.array(cells.value.where(~suppressed), dtype="Int64")
    published["suppressed"] = suppressed
    monthly = cells[cells.period_level == "month"]
    blocks = pd.DataFrame(
        [(t, m, h) for t in monthly.topic.unique() for m in monthly.period.unique() for h in hubs.hub],
        columns=["topic", "month", "hub"],
    )
    blocks["revision"] = [(revisions or {}).get((m, h), 1) for m, h in zip(blocks.month, blocks.hub)]
    return Release(cells=published, hubs=hubs, blocks=blocks, threshold=threshold, number=number)


def cell(cells: pd.DataFrame, period: str, geo: str, **breakdown: str) -> np.ndarray:
    """The mask of one cell: period, geography (hub, region or network), broken down as given and 'all' elsewhere."""
    mask = (cells.period == period) & (cells.geo == geo)
    for column in BREAKDOWN_COLUMNS:
        mask &= cells[column] == breakdown.get(column, ALL)
    assert mask.sum() == 1
    return mask.to_numpy(bool)


def interval(report: pd.DataFrame, period: str, geo: str, **breakdown: str) -> tuple[float, float]:
    row = report[cell(report, period, geo, **breakdown)].iloc[0]
    return row.lower, row.upper


def at_risk(report: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    return {(c.period, c.geo, c.service_line, c.language) for c in cells_at_risk(report).itertuples()}


# --- What one table gives away ------------------------------------------------


def test_a_lone_suppressed_cell_is_recovered_exactly_from_its_total():
    counts = {("2024-01", "a", "medical", "en"): 30, ("2024-01", "a", "legal", "en"): 3}
    cells = referrals(counts | {("2024-01", "b", "medical", "en"): 20})
    primary = cell(cells, "2024-01", "a", service_line="legal")
    stages = []
    report = intervals(publish(cells, primary), progress=stages.append)
    assert "referrals/referred 2024: 1 suppressed cells, 0 components" in stages
    assert len(report) == 1
    assert interval(report, "2024-01", "a", service_line="legal") == (3, 3)
    assert report.at_risk.all() and report.exact.all()
    text = format_report(report, 11)
    assert "referrals referred, month 2024-01, hub a, service line legal: recovered exactly (3)" in text
    assert text.endswith("1 suppressed cells checked, 1 at risk")


def rectangle(a_medical, a_legal, b_medical, b_legal):
    """Hub by service line in one month with every inner cell suppressed and every margin published."""
    cells = referrals(
        {
            ("2024-01", "a", "medical", "en"): a_medical,
            ("2024-01", "a", "legal", "en"): a_legal,
            ("2024-01", "b", "medical", "en"): b_medical,
            ("2024-01", "b", "legal", "en"): b_legal,
        }
    )
    inner = np.zeros(len(cells), bool)
    for hub in "ab":
        for line in ("medical", "legal"):
            inner |= cell(cells, "2024-01", hub, service_line=line)
    return cells, inner


def test_a_rectangle_of_small_cells_is_narrowed_by_its_margins():
    cells, inner = rectangle(2, 3, 4, 1)
    report = intervals(publish(cells, inner))
    # a/medical = t, a/legal = 5 - t, b/medical = 6 - t, b/legal = t - 1, all >= 1.
    assert interval(report, "2024-01", "a", service_line="medical") == (2, 4)
    assert interval(report, "2024-01", "b", service_line="legal") == (1, 3)
    assert report.at_risk.all() and report.exact.all()


def test_a_rectangle_of_large_cells_leaves_every_cell_wide():
    cells, inner = rectangle(20, 30, 40, 25)
    report = intervals(publish(cells, inner))
    assert len(report) == 4 and not report.at_risk.any()
    # What was proven is part of the true interval a/medical in [1, 49].
    low, high = interval(report, "2024-01", "a", service_line="medical")
    assert 1 <= low and high <= 49 and high - low >= 11
    assert format_report(report, 11) == "4 suppressed cells checked, 0 at risk"


def test_the_audit_solves_in_its_own_process_when_highs_will_not_stop_its_threads():
    """HiGHS refuses ("Invalid argument") to stop its threads while a solver of the process still holds them, and
    forked workers must not inherit them: the audit then solves here, with the same verdicts, instead of failing."""
    months = ("2024-01", "2024-02")
    counts = {(month, hub, line, "en"): 5 for month in months for hub in "ab" for line in ("medical", "legal")}
    cells = referrals(counts, months=months)
    inner = np.logical_or.reduce([cell(cells, month, hub, service_line=line) for month, hub, line, _ in counts])
    release = publish(cells, inner)  # two months, no quarter between them: two separate problems
    expected = intervals(release)
    with (
        patch("dashboard.protection.tuning.PARALLEL_TARGETS", 0),
        patch("dashboard.protection.tuning.CHUNK_COLUMNS", 1),
        patch.object(highspy.Highs, "resetGlobalScheduler", side_effect=RuntimeError("Invalid argument")) as reset,
    ):
        report = intervals(release)
    assert reset.called
    pd.testing.assert_frame_equal(report, expected)


def test_two_views_each_safe_alone_leak_through_their_shared_hub_totals():
    # Hub a: medical 30 + legal 3 = en 25 + es 8.  Hub b: medical 20 + legal 12 = en 27 + es 5.
    counts = {
        ("2024-01", "a", "medical", "en"): 25,
        ("2024-01", "a", "medical", "es"): 5,
        ("2024-01", "a", "legal", "es"): 3,
        ("2024-01", "b", "medical", "en"): 20,
        ("2024-01", "b", "legal", "en"): 7,
        ("2024-01", "b", "legal", "es"): 5,
    }
    cells = referrals(counts, languages=("en", "es"))
    hidden = cell(cells, "2024-01", "a") | cell(cells, "2024-01", "b")
    hidden |= cell(cells, "2024-01", "a", service_line="legal") | cell(cells, "2024-01", "b", service_line="legal")
    hidden |= cell(cells, "2024-01", "a", language="es") | cell(cells, "2024-01", "b", language="es")
    by_service_line = (cells.language == ALL).to_numpy()
    by_language = (cells.service_line == ALL).to_numpy()

    assert not intervals(publish(cells[by_service_line], hidden[by_service_line])).at_risk.any()
    assert not intervals(publish(cells[by_language], hidden[by_language])).at_risk.any()

    both = intervals(publish(cells, hidden))
    # Hub a's total is 30 + legal and 25 + es, with es <= 13 - 1: legal is at most 7.
    assert interval(both, "2024-01", "a", service_line="legal") == (1, 7)
    assert interval(both, "2024-01", "a") == (31, 37)
    assert ("2024-01", "a", "legal", ALL) in at_risk(both)


# --- Periods, geographies and zeros -------------------------------------------


def outcomes(counts: dict[tuple, int], months=("2024-01", "2024-02", "2024-03")):
    """One outcome, so that only periods and geographies relate the cells."""
    return cube("outcomes", "achieved", counts, list(months), NORTH, {"outcome": ["housing_stable"]})


FIRST_QUARTER = {
    (month, hub, "housing_stable"): n
    for hub, ns in {"a": (4, 20, 15), "b": (6, 30, 12)}.items()
    for month, n in zip(("2024-01", "2024-02", "2024-03"), ns)
}


def housing(cells, period, hub):
    return cell(cells, period, hub, outcome="housing_stable")


def test_a_month_is_recovered_from_its_quarter_less_the_other_months():
    cells = outcomes(FIRST_QUARTER)
    # January of both hubs hidden: the region's January no longer separates them, hub a's quarter does.
    january = housing(cells, "2024-01", "a") | housing(cells, "2024-01", "b")
    report = intervals(publish(cells, january))
    assert interval(report, "2024-01", "a", outcome="housing_stable") == (4, 4)
    assert interval(report, "2024-01", "b", outcome="housing_stable") == (6, 6)


def test_a_hub_is_recovered_from_its_region_less_the_other_hubs():
    cells = outcomes(FIRST_QUARTER)
    # Hub a's January and February hidden: its quarter no longer separates them, the region's months do.
    hub_a = housing(cells, "2024-01", "a") | housing(cells, "2024-02", "a")
    report = intervals(publish(cells, hub_a))
    assert interval(report, "2024-01", "a", outcome="housing_stable") == (4, 4)
    assert interval(report, "2024-02", "a", outcome="housing_stable") == (20, 20)


def test_a_year_that_shows_every_language_adds_up_without_the_other_languages_group():
    """A release whose first year was published before languages were grouped (every language at each hub) and
    whose next year groups them: in the first year nothing is counted in OTHER_LANGUAGES, so the group adds
    nothing to that year's totals, and a hidden language is still its total less the others."""
    counts = {("2024-01", "a", "medical", "en"): 30, ("2024-01", "a", "medical", "es"): 3}
    counts |= {("2025-01", "a", "medical", "en"): 40, ("2025-01", "a", "medical", "vi"): 20}
    cells = referrals(counts, months=("2024-01", "2025-01"), languages=("en", "es", "vi"))
    grouped = cells.period.str.startswith("2025") & (cells.geo_level != "network")
    cells = cells[~(grouped & (cells.language == "es"))]  # 2025 shows English and the group only below the network
    grouped = cells.period.str.startswith("2025") & (cells.geo_level != "network")
    network_vi = cells.period.str.startswith("2025") & (cells.geo_level == "network") & (cells.language == "vi")
    cells.loc[grouped & (cells.language == "vi"), "language"] = OTHER_LANGUAGES
    cells = pd.concat([cells, cells[network_vi].assign(language=OTHER_LANGUAGES)], ignore_index=True)
    hidden = (cells.language == "es") & cells.period.eq("2024-01") & (cells.value > 0)
    report = intervals(publish(cells, hidden.to_numpy()))
    assert interval(report, "2024-01", "a", language="es") == (3, 3)


def test_a_published_zero_total_pins_every_count_under_it():
    # Hub b had no referrals in January and the release carries only its zero total,
    # so the region's medical figure is all hub a's.
    counts = {("2024-01", "a", "medical", "en"): 15, ("2024-01", "a", "legal", "en"): 15}
    cells = referrals(counts, languages=("en", "es"))
    hub_b_detail = ((cells.geo == "b") & ((cells.service_line != ALL) | (cells.language != ALL))).to_numpy()
    cells = cells[~hub_b_detail].reset_index(drop=True)
    hidden = cell(cells, "2024-01", "a", service_line="medical") | cell(cells, "2024-01", "a", service_line="legal")
    report = intervals(publish(cells, hidden))
    assert interval(report, "2024-01", "a", service_line="medical") == (15, 15)


# --- The shortcuts are exact ---------------------------------------------------


def finest_grain_intervals(cells: pd.DataFrame, suppressed: np.ndarray) -> list[tuple[float, float]]:
    """Min and max of each suppressed cell over the month x hub x service line x language counts themselves."""
    months = sorted(cells.period[cells.period_level == "month"].unique())
    hubs, lines = list(NORTH.hub) + ["c"], sorted(cells.service_line[cells.service_line != ALL].unique())
    languages = sorted(cells.language[cells.language != ALL].unique())
    region = dict(zip(HUBS.hub, HUBS.region))
    unknowns = [
        (m, h, s, lang) for m in months for h in hubs if h in set(cells.geo) for s in lines for lang in languages
    ]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.addVars(len(unknowns), np.zeros(len(unknowns)), np.full(len(unknowns), highspy.kHighsInf))
    rows = []
    for c, hidden in zip(cells.itertuples(), suppressed):
        under = [
            i
            for i, (m, h, s, lang) in enumerate(unknowns)
            if m in months_of(c.period_level, c.period)
            and c.geo in (h, region[h], NETWORK)
            and c.service_line in (s, ALL)
            and c.language in (lang, ALL)
        ]
        low, high = (1.0, highspy.kHighsInf) if hidden else (float(c.value), float(c.value))
        highs.addRow(low, high, len(under), np.array(under, dtype=np.int32), np.ones(len(under)))
        if hidden:
            rows.append(under)
    bounds = []
    for under in rows:
        found = []
        for sense in (1.0, -1.0):
            cost = np.zeros(len(unknowns))
            cost[under] = sense
            highs.changeColsCost(len(unknowns), np.arange(len(unknowns), dtype=np.int32), cost)
            highs.run()
            unbounded = highs.getModelStatus() == highspy.HighsModelStatus.kUnbounded
            found.append(np.inf if unbounded else sense * highs.getInfo().objective_function_value)
        bounds.append(tuple(found))
    return bounds


@st.composite
def small_releases(draw):
    """A few months, hubs in one or two regions, two service lines, two languages, small counts, random suppression."""
    months = ["2024-01", "2024-02", "2024-03"][: draw(st.sampled_from([1, 3]))]
    hubs = HUBS if draw(st.booleans()) else NORTH
    keys = [(m, h, s, lang) for m in months for h in hubs.hub for s in ("medical", "legal") for lang in ("en", "es")]
    counts = dict(zip(keys, draw(st.lists(st.integers(0, 6), min_size=len(keys), max_size=len(keys)))))
    cells = referrals(counts, months, hubs, languages=("en", "es"))
    chosen = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
    suppressed = np.array(chosen) & (cells.value > 0).to_numpy()
    return cells, suppressed, hubs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_releases())
def test_margins_give_the_same_intervals_as_the_finest_counts(case):
    cells, suppressed, hubs = case
    report = intervals(publish(cells, suppressed, hubs), exact_for_all=True)
    expected = pd.DataFrame(finest_grain_intervals(cells, suppressed), columns=["lower", "upper"], dtype=float)
    expected = pd.concat([cells[suppressed][list(CELL_KEY)].reset_index(drop=True), expected], axis=1)
    merged = report.merge(expected, on=list(CELL_KEY), suffixes=("", "_finest"))
    assert len(merged) == suppressed.sum() and merged.exact.all()
    np.testing.assert_allclose(merged.lower, merged.lower_finest, atol=1e-6)
    np.testing.assert_allclose(merged.upper, merged.upper_finest, atol=1e-6)


@st.composite
def regional_releases(draw):
    """Two or three regions of two hubs, a quarter, counts around the threshold, much of it suppressed."""
    regions = draw(st.sampled_from([2, 3]))
    hubs = pd.DataFrame(
        {
            "hub": [f"h{i}" for i in range(2 * regions)],
            "name": [f"Hub {i}" for i in range(2 * regions)],
            "region": [f"r{i // 2}" for i in range(2 * regions)],
        }
    )
    months = ["2024-01", "2024-02", "2024-03"]
    keys = [(m, h, s, lang) for m in months for h in hubs.hub for s in ("medical", "legal") for lang in ("en", "es")]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cells = referrals(dict(zip(keys, rng.integers(0, 14, len(keys)).tolist())), months, hubs, languages=("en", "es"))
    suppressed = (rng.random(len(cells)) < draw(st.sampled_from([0.3, 0.5, 0.7]))) & (cells.value > 0).to_numpy()
    return cells, suppressed, hubs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(small_releases(), regional_releases()), st.sampled_from([3, 5, 11]), st.booleans())
def test_witnesses_reach_the_same_verdicts_as_solving_every_cell(case, threshold, region_by_region):
    """Also where witnesses are first sought one region at a time, as on a large network."""
    cells, suppressed, hubs = case
    release = publish(cells, suppressed, hubs, threshold=threshold)
    with patch("dashboard.protection.tuning.REGION_BY_REGION_ABOVE_HUBS", 0 if region_by_region else 10**6):
        quick = intervals(release)
    exact = intervals(release, exact_for_all=True)
    merged = quick.merge(exact, on=list(CELL_KEY), suffixes=("", "_exact"))
    assert len(merged) == suppressed.sum()
    assert (merged.at_risk == merged.at_risk_exact).all()
    # What witnesses prove lies inside the true interval, and is the true interval where a cell is at risk.
    assert (merged.lower >= merged.lower_exact - 1e-6).all() and (merged.upper <= merged.upper_exact + 1e-6).all()
    risky = merged[merged.at_risk]
    assert risky.exact.all()
    np.testing.assert_allclose(risky.lower, risky.lower_exact, atol=1e-6)
    np.testing.assert_allclose(risky.upper, risky.upper_exact, atol=1e-6)


# --- Successive releases ---------------------------------------------------------


def earlier_release(cells: pd.DataFrame) -> Release:
    """The rectangle's data published before with other complements: a/medical shown, the rest of the table hidden."""
    hidden = cell(cells, "2024-01", "a", service_line="legal") | cell(cells, "2024-01", "a")
    hidden |= cell(cells, "2024-01", "b", service_line="medical") | cell(cells, "2024-01", "b", service_line="legal")
    hidden |= cell(cells, "2024-01", "b")
    return publish(cells, hidden, number=1)


def test_an_old_release_over_the_same_data_is_used_against_the_new_one():
    cells, inner = rectangle(20, 30, 40, 5)
    current = publish(cells, inner, number=2)
    assert not intervals(current).at_risk.any()
    report = intervals(current, earlier_release(cells))
    assert at_risk(report) == {("2024-01", "b", "legal", ALL)}, "the large cells are pinned too, but cannot be small"
    assert interval(report, "2024-01", "b", service_line="legal") == (5, 5)


def test_an_old_release_over_data_since_revised_is_not():
    cells, inner = rectangle(20, 30, 40, 5)
    current = publish(cells, inner, revisions={("2024-01", "a"): 2}, number=2)
    assert not intervals(current, earlier_release(cells)).at_risk.any()


def test_an_old_region_over_other_hubs_is_a_new_equation():
    # Hub c moved from the south to the north: the old north (a + b) and the new one (a + b + c) give c away.
    lines = {"a": (20, 40), "b": (30, 40), "c": (4, 40)}
    counts = {("2024-01", hub, line, "en"): n for hub, ns in lines.items() for line, n in zip(("medical", "legal"), ns)}
    moved = HUBS.assign(region="north")
    before, after = referrals(counts, hubs=HUBS), referrals(counts, hubs=moved)

    def hub_by_service_line(cells):
        return ((cells.geo_level == "hub") & (cells.service_line != ALL)).to_numpy()

    previous = publish(before, hub_by_service_line(before) | before.geo.isin(["c", "south"]).to_numpy(), hubs=HUBS)
    current = publish(after, hub_by_service_line(after), hubs=moved, number=2)
    assert not intervals(current).at_risk.any()
    assert interval(intervals(current, previous), "2024-01", "c", service_line="medical") == (4, 4)


# --- The insiders and the order rules ----------------------------------------


def truth_of(cells: pd.DataFrame) -> pd.DataFrame:
    """What the staff of each hub know of their own hub: every true figure (here the test's cube holds them all)."""
    return cells[[*CELL_KEY, "value"]]


def test_a_hubs_staff_subtract_their_own_cell_from_the_region_and_read_the_other_hub():
    cells, inner = rectangle(20, 30, 3, 40)
    release = publish(cells, inner)
    assert not intervals(release).at_risk.any(), "an outsider sees only a wide rectangle"
    report = intervals(release, truth=truth_of(cells))
    risky = report[report.at_risk]
    b_medical = risky[cell(risky, "2024-01", "b", service_line="medical")].iloc[0]
    assert (b_medical.lower, b_medical.upper) == (3, 3)
    assert b_medical.attacker == "the staff of hub a"
    assert "hub b, service line medical: recovered exactly (3) by the staff of hub a" in format_report(report, 11)
    # Hub b's staff read hub a's cells the same way, but 20 and 30 cannot be small; nor can hub b's 40.
    assert at_risk(report) == {("2024-01", "b", "medical", ALL)}


def test_a_hidden_region_keeps_the_other_hub_of_a_two_hub_region_from_its_neighbour():
    cells, inner = rectangle(20, 30, 3, 40)
    region = np.zeros(len(cells), bool)
    for geo in ("north", NETWORK):  # the region is the whole network here
        region |= cell(cells, "2024-01", geo, service_line="medical") | cell(
            cells, "2024-01", geo, service_line="legal"
        )
    report = intervals(publish(cells, inner | region), truth=truth_of(cells))
    b_medical = report[cell(report, "2024-01", "b", service_line="medical")].iloc[0]
    assert not b_medical.at_risk
    assert b_medical.upper - b_medical.lower >= 11


def assessed_and_achieved(assessed: dict, achieved: dict, hubs: pd.DataFrame = NORTH) -> pd.DataFrame:
    months = ["2024-01", "2024-02", "2024-03"]
    categories = {"outcome": ["housing_stable"]}
    return pd.concat(
        [
            cube("outcomes", "assessed", assessed, months, hubs, categories),
            cube("outcomes", "achieved", achieved, months, hubs, categories),
        ],
        ignore_index=True,
    )


def test_the_order_rules_pin_a_hidden_count_under_a_published_larger_measure():
    """achieved <= assessed: a hidden 3 achieved beside 11 assessed lies in 1..11, ten values."""
    achieved = {
        ("2024-01", "a", "housing_stable"): 3,
        ("2024-02", "a", "housing_stable"): 40,
        ("2024-01", "b", "housing_stable"): 30,
        ("2024-02", "b", "housing_stable"): 40,
        ("2024-03", "a", "housing_stable"): 12,
        ("2024-03", "b", "housing_stable"): 12,
    }
    assessed = {
        key: max(n, 11) + (0 if key == ("2024-01", "a", "housing_stable") else 30) for key, n in achieved.items()
    }
    cells = assessed_and_achieved(assessed, achieved)
    achieved_cells = cells.measure == "achieved"
    hidden = (achieved_cells & cells.period.isin(["2024-01", "2024-02"]) & cells.geo.isin(["a", "b"])).to_numpy()
    report = intervals(publish(cells, hidden), order_rules=True)
    jan_a = report[cell(report, "2024-01", "a", outcome="housing_stable")].iloc[0]
    assert jan_a.at_risk and (jan_a.lower, jan_a.upper) == (1, 11)
    # Without the larger measure beside it, the same rectangle is wide.
    alone = publish(cells[achieved_cells].reset_index(drop=True), hidden[achieved_cells.to_numpy()])
    assert not intervals(alone, order_rules=True).at_risk.any()


def test_the_order_rules_bind_a_quarter_through_its_months():
    """achieved <= assessed in every month, so in every quarter: a hub's hidden achieved quarter (three months of
    at least 1) beside its published assessed quarter of 11 lies in 3..11, though no achieved figure is published
    and the assessed months are hidden."""
    months = ["2024-01", "2024-02", "2024-03"]
    achieved = {(month, hub, "housing_stable"): 1 for month in months for hub in ("a", "b")}
    assessed = {(month, hub, "housing_stable"): n for month, n in zip(months, (3, 4, 4)) for hub in ("a", "b")}
    cells = assessed_and_achieved(assessed, achieved)
    hidden = ((cells.measure == "achieved") | ((cells.geo_level == "hub") & (cells.period_level == "month"))).to_numpy()
    release = publish(cells, hidden)

    def achieved_quarter_at_a(report: pd.DataFrame) -> pd.Series:
        return report[(report.measure == "achieved") & (report.period == "2024-Q1") & (report.geo == "a")].iloc[0]

    row = achieved_quarter_at_a(intervals(release, order_rules=True))
    assert row.at_risk and (row.lower, row.upper) == (3, 11)
    assert not achieved_quarter_at_a(intervals(release, order_rules=False)).at_risk, "nothing else bounds it above"


# --- Points someone else found -------------------------------------------------


def test_a_claimed_point_is_trusted_only_where_it_keeps_every_relation_and_order_rule():
    """One hub: a hidden 3 achieved beside a published 11 assessed lies in 1..11. A point moving it up by 20 (its
    other hidden month down as much) keeps every sum, but not achieved <= assessed: the audit checks each point
    in its own model, so that one proves nothing. With both measures hidden, a point moving them together is
    trusted: every hidden cell is then proven wide without an LP."""
    hub = NORTH[NORTH.hub == "a"]
    achieved = {("2024-01", "a", "housing_stable"): 3, ("2024-02", "a", "housing_stable"): 40}
    achieved[("2024-03", "a", "housing_stable")] = 12
    assessed = {key: 11 if key[0] == "2024-01" else n + 30 for key, n in achieved.items()}
    cells = assessed_and_achieved(assessed, achieved, hub)
    truth = truth_of(cells)

    def two_months(measure: str) -> np.ndarray:
        return ((cells.measure == measure) & cells.period.isin(["2024-01", "2024-02"])).to_numpy()

    def moving(by: int, *measures: str) -> Claimed:
        """January up by `by` and February down as much, for the measures given, at the hub and above it."""
        january = [(cells.measure == m) & (cells.period == "2024-01") for m in measures]
        february = [(cells.measure == m) & (cells.period == "2024-02") for m in measures]
        figures = np.flatnonzero(np.logical_or.reduce(january)), np.flatnonzero(np.logical_or.reduce(february))
        return Claimed(
            point=np.zeros(len(figures[0]) + len(figures[1]), np.int64),
            figure=np.concatenate(figures),
            move=np.r_[np.full(len(figures[0]), by), np.full(len(figures[1]), -by)].astype(float),
        )

    release = publish(cells, two_months("achieved"), hub)
    breaking = intervals(release, order_rules=True, truth=truth, claimed=moving(20, "achieved"))
    pd.testing.assert_frame_equal(breaking, intervals(release, order_rules=True, truth=truth))
    january = breaking[breaking.period == "2024-01"]
    assert january.at_risk.all() and (january.lower == 1).all() and (january.upper == 11).all()

    release = publish(cells, two_months("achieved") | two_months("assessed"), hub)
    said: list[str] = []
    claimed = moving(15, "achieved", "assessed")
    assert not intervals(release, order_rules=True, truth=truth, claimed=claimed, progress=said.append).at_risk.any()
    assert said[-1].startswith("0 LPs solved for 0 cells"), said
    intervals(release, order_rules=True, truth=truth, progress=said.append)
    assert not said[-1].startswith("0 LPs"), "without the point, the order rules leave cells for the LPs"


@st.composite
def ordered_releases(draw):
    """Assessed and achieved (achieved <= assessed) for a quarter in a region of two hubs, cells hidden at
    random."""
    keys = [(month, hub, "housing_stable") for month in ("2024-01", "2024-02", "2024-03") for hub in ("a", "b")]
    assessed = {key: draw(st.integers(0, 25)) for key in keys}
    achieved = {key: draw(st.integers(0, assessed[key])) for key in keys}
    cells = assessed_and_achieved(assessed, achieved)
    hidden = np.array(draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells))))
    return cells, hidden & (cells.value > 0).to_numpy()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ordered_releases(), st.integers(0, 2**32 - 1))
def test_claimed_points_never_change_a_verdict(case, seed):
    """Whatever points it is handed, true (an audit's own) or made up, the audit with the order rules and every
    hub's staff finds the cells at risk that solving every cell finds."""
    cells, hidden = case
    release = publish(cells, hidden)
    truth = truth_of(cells)
    solved: list[Claimed] = []
    exact = intervals(release, order_rules=True, truth=truth, exact_for_all=True, keep=solved)
    random = np.random.default_rng(seed)
    made_up = Claimed(
        point=np.repeat(np.arange(10), 2),
        figure=random.integers(0, len(truth), 20),
        move=random.choice([-12.0, -5.0, 5.0, 12.0], 20),
    )
    claimed = intervals(release, order_rules=True, truth=truth, claimed=joined_claims([*solved, made_up]))
    merged = claimed.merge(exact, on=list(CELL_KEY), suffixes=("", "_exact"))
    assert len(merged) == hidden.sum()
    assert (merged.at_risk == merged.at_risk_exact).all()
    assert (merged.lower >= merged.lower_exact - 1e-6).all() and (merged.upper <= merged.upper_exact + 1e-6).all()
    risky = merged[merged.at_risk]
    np.testing.assert_allclose(risky.lower, risky.lower_exact, atol=1e-6)
    np.testing.assert_allclose(risky.upper, risky.upper_exact, atol=1e-6)


@st.composite
def two_and_three_hub_regions(draw):
    """Releases of one month, hubs in regions of two and three, by service line, with cells hidden at random."""
    hubs = pd.DataFrame({"hub": list("abcde"), "name": list("ABCDE"), "region": ["n", "n", "s", "s", "s"]})
    lines = ("medical", "legal", "housing")
    counts = {("2024-01", h, line, "en"): draw(st.integers(0, 30)) for h in hubs.hub for line in lines}
    cells = referrals(counts, hubs=hubs, service_lines=lines)
    hidden = np.array(draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells))))
    return cells, hidden & (cells.value > 0).to_numpy(), hubs


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_and_three_hub_regions())
def test_insiders_attacked_in_groups_reach_the_verdicts_of_each_insider_alone(case):
    cells, hidden, hubs = case
    release = publish(cells, hidden, hubs)
    together = intervals(release, truth=truth_of(cells))
    # Each hub's staff alone: the audit told only that hub's figures.
    risky = set(map(tuple, cells_at_risk(intervals(release))[list(CELL_KEY)].astype(str).to_numpy()))
    for hub in hubs.hub:
        alone = intervals(release, truth=truth_of(cells[cells.geo == hub]))
        risky |= set(map(tuple, cells_at_risk(alone)[list(CELL_KEY)].astype(str).to_numpy()))
    assert set(map(tuple, cells_at_risk(together)[list(CELL_KEY)].astype(str).to_numpy())) == risky


def test_hubdash_audit_names_who_the_order_rules_help_and_finds_nothing_after_hubdash_ingest(home, tmp_path, capsys):
    """A release protected measure by measure (as before issue 12) passes the audit without the order rules and
    fails it with them, which say what they narrow and for whom; `hubdash ingest` protects against them, and then
    the audit, which shares nothing with it, finds nothing, as anyone or as each hub's staff."""
    from dashboard.cli import main
    from dashboard.pipeline.ingest import ingest
    from seed.generate import write_seed

    write_seed(tmp_path / "extract", hubs=3, months=3)
    measure_by_measure = tmp_path / "measure-by-measure.duckdb"
    ingest(tmp_path / "extract", measure_by_measure, order_rules=False)
    old = ["--warehouse", str(measure_by_measure), "--insiders"]
    assert main(["audit", *old, "--without-order-rules"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(["audit", *old]) == 1
    said = capsys.readouterr().out
    assert "at risk" in said and ("recovered exactly" in said or "narrowed to" in said)

    assert main(["ingest", str(tmp_path / "extract")]) == 0
    capsys.readouterr()
    assert main(["audit"]) == 0, capsys.readouterr().out
    assert main(["audit", "--insiders"]) == 0, capsys.readouterr().out


def test_hubdash_audit_needs_the_staging_store_for_the_hubs_staff(home, tmp_path, capsys):
    from dashboard.cli import main
    from seed.generate import write_seed

    write_seed(tmp_path / "extract", hubs=3, months=3)
    assert main(["ingest", str(tmp_path / "extract")]) == 0
    shutil.rmtree(home / "warehouse.duckdb.staging")
    assert main(["audit", "--insiders"]) == 2
    assert "no staging store" in capsys.readouterr().err
