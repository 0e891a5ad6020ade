"""Every question in queries/, run on the published seed, against a contract (dbt's schema tests are the model):
its key identifies each row and is never empty, and each count it answers is the published cell's, missing only
where that cell is suppressed (never because a row or a join lost it), with the range of a missing one beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pytest

import queries
from dashboard.hierarchy import ALL, BREAKDOWN_COLUMNS, GEO_LEVELS, PERIOD_LEVELS, TOPICS, months_of, years_of


@dataclass(frozen=True)
class Contract:
    key: tuple[str, ...]
    counts: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Answer column -> the (topic, measure) of the cell it reports."""
    groups: dict[str | None, dict[str, str]] = field(default_factory=lambda: {None: {}})
    """For each $breakdown (None: the question takes none): answer column -> the cells' breakdown column it names;
    every other breakdown column is the total ('all')."""
    period: str = "period"
    """The answer's period column."""


def _measures(topic: str, columns: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    names = columns or {m: m for m in TOPICS[topic].measures}
    return {column: (topic, measure) for column, measure in names.items()}


CONTRACTS = {
    "referral_funnel": Contract(
        ("period", "geo", "category"),
        _measures("referrals"),
        {
            "service_line": {"category": "service_line"},
            "language": {"category": "language"},
            "total": {"category": "service_line"},
        },
    ),
    "interpreter_coverage": Contract(
        ("period", "geo", "category"),
        _measures(
            "language_access",
            {
                "needing_interpreter": "appointments_needing_interpreter",
                "with_interpreter": "appointments_with_interpreter",
            },
        ),
        {"language": {"category": "language"}, "total": {"category": "language"}},
    ),
    "outcomes": Contract(("period", "geo", "outcome"), _measures("outcomes"), {None: {"outcome": "outcome"}}),
    "funding_use": Contract(
        ("period", "geo", "funding_stream", "service_line"),
        _measures("funding"),
        {
            b: {"funding_stream": "funding_stream", "service_line": "service_line"}
            for b in ("funding_stream", "service_line", "both", "total")
        },
    ),
    "spend_share": Contract(
        ("period", "geo", "service_line"), {"spent": ("funding", "spent")}, {None: {"service_line": "service_line"}}
    ),
    "spend_per_completed": Contract(
        ("period", "geo", "service_line"),
        {"completed": ("referrals", "completed")},
        {None: {"service_line": "service_line"}},
    ),
    "funding_burn": Contract(
        ("geo", "funding_stream", "month"),
        _measures("funding"),
        {b: {"funding_stream": "funding_stream"} for b in ("funding_stream", "total")},
        period="month",
    ),
    "periods": Contract(("period",)),
    "hubs": Contract(("hub",)),
    "breakdown_values": Contract(("breakdown", "value")),
    "release_info": Contract(("number",)),
}


@pytest.fixture(scope="module")
def con(seed_release):
    with duckdb.connect(str(seed_release), read_only=True) as connection:
        queries.install_macros(connection)
        yield connection


def test_every_question_has_a_contract():
    assert sorted(CONTRACTS) == queries.names()


def asked(con, name: str, breakdown: str | None) -> list[dict]:
    """Every way the pages can ask a question: each period level (each grant year) and geography level, with all
    their periods and places at once."""
    wanted = queries.parameters(name)
    if "topic" in wanted:
        return [{"topic": topic} for topic in TOPICS]
    if "geo_level" not in wanted:
        return [{"period_level": level} for level in PERIOD_LEVELS] if "period_level" in wanted else [{}]
    views = []
    for geo_level in GEO_LEVELS:
        geos = [g for (g,) in con.execute("SELECT DISTINCT geo FROM cells WHERE geo_level = ?", [geo_level]).fetchall()]
        place = {"geo_level": geo_level, "geos": geos, **({"breakdown": breakdown} if breakdown else {})}
        if "year_months" in wanted:
            months = queries.run(con, "periods", period_level="month")["period"]
            last_months = months.groupby(years_of(months)).max()
            views += [
                {**place, "year_months": months_of("year", year), "last_month": month}
                for year, month in last_months.items()
            ]
        else:
            views += [
                {
                    **place,
                    "period_level": level,
                    "periods": queries.run(con, "periods", period_level=level)["period"].tolist(),
                }
                for level in PERIOD_LEVELS
            ]
    return views


def cells_behind(
    con, answer: pd.DataFrame, contract: Contract, groups: dict[str, str], column: str, params: dict
) -> pd.DataFrame:
    """Each answer row's figure in `column` beside the cell it reports (indicator _merge: 'both' where found)."""
    topic, measure = contract.counts[column]
    period_level = params.get("period_level", "month")
    cells = con.execute(
        "SELECT period, geo, service_line, language, funding_stream, outcome, value, suppressed FROM cells "
        "WHERE topic = ? AND measure = ? AND period_level = ? AND geo_level = ?",
        [topic, measure, period_level, params["geo_level"]],
    ).df()
    rows = pd.DataFrame({"period": answer[contract.period], "geo": answer["geo"], "answered": answer[column]})
    for breakdown_column in BREAKDOWN_COLUMNS:
        named_by = [c for c, b in groups.items() if b == breakdown_column]
        rows[breakdown_column] = answer[named_by[0]] if named_by else ALL
    if f"{column}_lower" in answer.columns:
        rows["lower"] = answer[f"{column}_lower"]
    return rows.merge(cells, on=["period", "geo", *BREAKDOWN_COLUMNS], how="left", indicator=True)


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_a_questions_key_is_unique_and_its_counts_are_missing_only_where_suppressed(con, name):
    contract = CONTRACTS[name]
    rows_seen = 0
    for breakdown, groups in contract.groups.items():
        for params in asked(con, name, breakdown):
            answer = queries.run(con, name, **params)
            rows_seen += len(answer)
            key = answer[list(contract.key)]
            assert key.notna().all().all(), f"{name} {params}: a key column is empty"
            assert not key.duplicated().any(), f"{name} {params}: two rows share a key"
            for column in contract.counts:
                found = cells_behind(con, answer, contract, groups, column, params)
                assert (found["_merge"] == "both").all(), f"{name} {params}: {column} of a cell that does not exist"
                missing = found["answered"].isna()
                assert missing.eq(found["suppressed"].astype(bool)).all(), (
                    f"{name} {params}: {column} missing where the cell is published, or shown where suppressed"
                )
                published = found[~missing]
                assert published["answered"].astype(float).eq(published["value"].astype(float)).all(), (
                    f"{name} {params}: {column} is not the published figure"
                )
                if "lower" in found.columns:
                    assert found.loc[missing, "lower"].notna().all(), (
                        f"{name} {params}: a hidden {column} without its range"
                    )
    assert rows_seen, f"{name} answered nothing on the seed: its contract proves nothing"


def test_a_hidden_rates_range_runs_from_its_lowest_to_its_highest_value_even_where_a_part_has_no_upper_end():
    """1,014 first appointments published over a hidden number accepted of '1,163 or more': the share lies
    between 0 and 1,014 / 1,163 (87%), not 'hidden (100%–87%)'. DuckDB's least() skips a missing argument,
    so a missing upper end must not reach it as one."""
    with duckdb.connect() as connection:
        connection.execute("CREATE TABLE release AS SELECT 11 AS threshold")
        connection.execute(queries.sql("macro_published_rate"))
        ask = "SELECT rate_lower(?, ?, ?, ?), rate_upper(?, ?, ?, ?)"
        base_unbounded = connection.execute(ask, [1014, None, 1014, None, 1014, None, 1014, 1163]).fetchone()
        assert base_unbounded == (0, pytest.approx(1014 / 1163))
        part_unbounded = connection.execute(ask, [None, 500, 40, 500, None, 500, None, 500]).fetchone()
        assert part_unbounded == (pytest.approx(40 / 500), 1)
        both_bounded = connection.execute(ask, [None, None, 40, 600, None, None, 90, 500]).fetchone()
        assert both_bounded == (pytest.approx(40 / 600), pytest.approx(90 / 500))
