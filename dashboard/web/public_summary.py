"""One place and period as the public sees it: the figures, findings, tables and charts
that the public summary page shows and the printable report prints.

Gathered here once, so the page, its CSV files and the PDF cannot disagree. Always
read as a visitor, whoever is signed in: a public figure is the same for everyone,
and `data.figures` refuses a visitor anything below region level.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import altair as alt
import pandas as pd

from ..hierarchy import a_year_earlier
from ..identity.auth import VISITOR
from ..read import data, findings, labels, metrics
from . import ui

TITLE = "How the network is doing"
PERIOD_LEVELS = ("year", "quarter")
SECTIONS = (
    ("Referrals", ("summary-completion-chart", "summary-service-lines")),
    ("Interpreter coverage", ("summary-languages",)),
    ("Outcomes", ("summary-outcomes-chart", "summary-outcomes")),
    ("Funding", ("summary-funding-chart", "summary-funding-streams", "summary-spending-chart", "summary-spending")),
)
"""The page's sections in order, each with its charts and tables by key: the live page and the static site follow it."""
NO_FIGURE = "no figure in this chart can be shown for this place and period."
COMPLETION_GAP = next(gap for gap in findings.FUNNEL_GAPS if gap.rate == "completion_rate")
SPENDING_GAP = findings.Gap("spent_share", "of its budget spent")
NOTHING_STANDS_OUT = "No group stands out from the whole, and no rate moved, among the figures that can be shown."


def introduction(governance_link: str) -> str:
    """The page's opening paragraph, in Markdown, linking to the governance page at `governance_link`."""
    return (
        "Referrals, interpreter coverage, outcomes and funding across the care hubs, for the whole network and each "
        f"region. A count from 1 to {ui.threshold() - 1} is never shown, and no figure goes below region level: "
        f"see [Data governance]({governance_link}) for how the figures are protected."
    )


def places() -> list[tuple[str, str]]:
    """The network first, then each region: never a hub."""
    return [(level, geo) for level in ("network", "region") for geo in data.allowed_geos(VISITOR, level)]


def periods(period_level: str) -> list[str]:
    return data.run("periods", period_level=period_level)["period"].tolist()


@dataclass(frozen=True)
class Headline:
    """A headline figure, and the same figure a year earlier, each with the range the published figures imply
    where it is hidden (missing otherwise)."""

    label: str
    kind: str
    """'count' or 'rate'."""
    now: object
    before: object
    rising_is_good: bool | None
    """None where a rise is neither good nor bad (more referrals made, more of a budget spent)."""
    now_range: tuple = (pd.NA, pd.NA)
    before_range: tuple = (pd.NA, pd.NA)

    @property
    def percent(self) -> bool:
        return self.kind == "rate"

    @property
    def value(self) -> str:
        """The figure on its card, short enough for one: '2,172', '57%', 'hidden' or 'not shown'."""
        if pd.isna(self.now):
            return ui.HIDDEN if self.kind == "count" or not pd.isna(self.now_range[0]) else ui.NOT_SHOWN
        return f"{int(self.now):,}" if self.kind == "count" else f"{self.now:.0%}"

    @property
    def hidden_range(self) -> str | None:
        """Under a hidden figure's card, where the published figures put it: 'between 24 and 176'."""
        lower, upper = self.now_range
        if not pd.isna(self.now) or pd.isna(lower):
            return None
        if self.percent:
            return f"exactly {lower:.0%}" if lower == upper else f"between {lower:.0%} and {upper:.0%}"
        if pd.isna(upper):
            return f"{int(lower):,} or more"
        return f"exactly {int(lower):,}" if lower == upper else f"between {int(lower):,} and {int(upper):,}"

    def shown(self, earlier: bool = False) -> str:
        """The figure (or the one a year earlier) as a table shows it: hidden ones with their ranges."""
        value, (lower, upper) = (self.before, self.before_range) if earlier else (self.now, self.now_range)
        return ui.shown_figure(value, lower, upper, self.percent)


@dataclass(frozen=True)
class Table:
    """A table on the page: its figures, how each column is formatted, and its column headings."""

    title: str
    key: str
    frame: pd.DataFrame
    counts: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    money: tuple[str, ...] = ()
    labels: dict = field(default_factory=dict)

    def shown(self) -> pd.DataFrame:
        return ui.display_table(self.frame, list(self.counts), list(self.rates), list(self.money)).rename(
            columns=self.labels
        )

    def without_comparison(self) -> Table:
        """This table for a period with nothing published a year earlier: no empty columns for it."""
        drop = [c for c in self.frame.columns if "_earlier" in c or c in ("before", "change")]
        return replace(self, frame=self.frame.drop(columns=drop), rates=tuple(r for r in self.rates if r not in drop))


@dataclass(frozen=True)
class Summary:
    geo_level: str
    geo: str
    period_level: str
    period: str
    earlier: str
    earlier_published: bool
    headlines: tuple[Headline, ...]
    service_lines: pd.DataFrame
    """The referral funnel by service line (category), with each column a year earlier beside it (suffix _earlier)."""
    languages: pd.DataFrame
    """Interpreter coverage by language (category), likewise."""
    outcomes: pd.DataFrame
    """Assessed, achieved and their share by outcome, likewise."""
    funding_streams: pd.DataFrame
    """Budget, spent and their share by funding stream, likewise."""
    spending: pd.DataFrame
    """Spend and its share of all spend by service line, likewise."""
    findings: tuple[str, ...]

    @property
    def where(self) -> str:
        """'Whole network' or 'Region: Coastal'."""
        return ui.geo_label(self.geo_level, self.geo)

    @property
    def place(self) -> str:
        """'the whole network' or 'Coastal region', for a sentence."""
        return "the whole network" if self.geo_level == "network" else f"{self.geo} region"

    @property
    def when(self) -> str:
        """'Year 2025' or 'Quarter 2025-Q3'."""
        return ui.period_label(self.period_level, [self.period])

    @property
    def file_stem(self) -> str:
        """'hub-summary-high-plains-rural-2025-Q3': for the files the page offers."""
        words = "".join(c if c.isalnum() else " " for c in self.geo.lower()).split()
        return "-".join(["hub-summary", *words, self.period])

    @property
    def comparison_note(self) -> str:
        """What the changes on the page are against, or why there are none."""
        if self.earlier_published:
            return f"Each change is against {self.earlier}, and only between two published figures."
        return f"No figures for {self.earlier} were published, so nothing is compared."

    def delta(self, headline: Headline) -> str | None:
        """A headline's change as shown beside it ('+12', 'no change', '2024 figure suppressed'), or where a
        hidden one lies; None when there is neither."""
        if headline.hidden_range:
            return headline.hidden_range
        if not self.earlier_published:
            return None
        return metrics.change_text(
            headline.now, headline.before, headline.percent, signed=True
        ) or self.why_not_compared(headline.now, headline.before, headline.kind)

    def why_not_compared(self, now, before, kind: str) -> str:
        """'2024 figure suppressed', 'rate not shown', 'no 2022 figures': short enough for a headline."""
        if not self.earlier_published:
            return f"no {self.earlier} figures"
        whose = "" if pd.isna(now) else f"{self.earlier} "
        return f"{whose}figure suppressed" if kind == "count" else f"{whose}rate not shown"

    def comparison(self, now, before, kind: str) -> str:
        """The change against a year earlier, or why there is none to show."""
        return metrics.change_text(now, before, kind == "rate") or self.why_not_compared(now, before, kind)


def gather(geo_level: str, geo: str, period_level: str, period: str) -> Summary:
    """Every figure of the summary of one place and period, with the same period a year earlier."""
    earlier = a_year_earlier(period)

    def ask(question: str, **params) -> pd.DataFrame:
        return data.figures(
            question,
            VISITOR,
            geo_level=geo_level,
            geos=[geo],
            period_level=period_level,
            periods=[earlier, period],
            **params,
        )

    def paired(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        """This period's rows, each with the same group's figures a year earlier beside it (suffix _earlier, and
        for a range, before its _lower or _upper)."""
        before = frame[frame["period"] == earlier].drop(columns=["period", "geo"])
        before = before.rename(columns={c: _earlier(c) for c in before.columns if c != key})
        return frame[frame["period"] == period].merge(before, on=key, how="left")

    total = paired(ask("referral_funnel", breakdown="total"), "category")
    service_lines = paired(ask("referral_funnel", breakdown="service_line"), "category")
    coverage = paired(ask("interpreter_coverage", breakdown="total"), "category")
    languages = paired(ask("interpreter_coverage", breakdown="language"), "category")
    outcomes = paired(ask("outcomes"), "outcome")
    funding_total = paired(ask("funding_use", breakdown="total"), "funding_stream")
    funding_streams = paired(ask("funding_use", breakdown="funding_stream"), "funding_stream")
    spending = paired(ask("spend_share"), "service_line")

    whole, covered, spent = total.iloc[0], coverage.iloc[0], funding_total.iloc[0]

    def headline(label: str, kind: str, row: pd.Series, column: str, rising_is_good: bool | None) -> Headline:
        def range_of(col: str) -> tuple:
            return (row.get(f"{col}_lower", pd.NA), row.get(f"{col}_upper", pd.NA))

        before = _earlier(column)
        return Headline(label, kind, row[column], row[before], rising_is_good, range_of(column), range_of(before))

    headlines = (
        headline("Referrals made", "count", whole, "referred", None),
        headline("Referrals completed", "count", whole, "completed", True),
        headline("Share completed", "rate", whole, "completion_rate", True),
        headline("Interpreter coverage", "rate", covered, "interpreter_coverage", True),
        headline("Budget spent", "rate", spent, "spent_share", None),
    )
    whole_name = "the whole network" if geo_level == "network" else geo
    changes = [
        findings.Change(
            "All service lines", COMPLETION_GAP, whole["completion_rate"], whole["completion_rate_earlier"]
        ),
        *(
            findings.Change(labels.plain(r.category), COMPLETION_GAP, r.completion_rate, r.completion_rate_earlier)
            for r in service_lines.itertuples()
        ),
        findings.Change(
            "All languages",
            findings.COVERAGE_GAP,
            covered["interpreter_coverage"],
            covered["interpreter_coverage_earlier"],
        ),
        *(
            findings.Change(labels.plain(r.outcome), findings.OUTCOME_GAP, r.achieved_share, r.achieved_share_earlier)
            for r in outcomes.itertuples()
        ),
    ]
    found = [
        *findings.largest_changes(changes, period, earlier),
        *_prefixed(
            "Largest gap in completion — ",
            findings.largest_gaps(service_lines, whole, (COMPLETION_GAP,), labels.plain, whole_name, most=1),
        ),
        *_prefixed(
            "Largest gap in interpreter coverage — ",
            findings.largest_gaps(languages, covered, (findings.COVERAGE_GAP,), labels.language, whole_name, most=1),
        ),
        *_prefixed(
            "Furthest from its budget — ",
            findings.largest_gaps(
                funding_streams, spent, (SPENDING_GAP,), labels.plain, whole_name, column="funding_stream", most=1
            ),
        ),
    ]
    return Summary(
        geo_level=geo_level,
        geo=geo,
        period_level=period_level,
        period=period,
        earlier=earlier,
        earlier_published=earlier in periods(period_level),
        headlines=headlines,
        service_lines=service_lines,
        languages=languages,
        outcomes=outcomes,
        funding_streams=funding_streams,
        spending=spending,
        findings=tuple(found) or (NOTHING_STANDS_OUT,),
    )


def tables(summary: Summary) -> list[Table]:
    """Every table on the page, in order: the headline figures first."""
    s = summary
    now, before = s.period, s.earlier
    headline_rows = pd.DataFrame(
        {
            "figure": [h.label for h in s.headlines],
            "now": [h.shown() for h in s.headlines],
            "before": [h.shown(earlier=True) for h in s.headlines],
            "change": [s.comparison(h.now, h.before, h.kind) for h in s.headlines],
        }
    )

    def with_change(frame: pd.DataFrame, rate: str) -> pd.DataFrame:
        """A rate's change against a year earlier; 'not compared' where either rate beside it is not shown."""
        changes = [
            metrics.change_text(n, b, percent=True) or "not compared"
            for n, b in zip(frame[rate], frame[f"{rate}_earlier"])
        ]
        return frame.assign(change=changes)

    lines = with_change(s.service_lines, "completion_rate").assign(category=lambda f: f["category"].map(labels.plain))
    languages = (
        with_change(s.languages, "interpreter_coverage")
        .assign(category=lambda f: f["category"].map(labels.language))
        .sort_values("category")
    )
    outcomes = with_change(s.outcomes, "achieved_share").assign(outcome=lambda f: f["outcome"].map(labels.plain))
    streams = s.funding_streams.assign(funding_stream=lambda f: f["funding_stream"].map(labels.plain))
    spending = s.spending.assign(service_line=lambda f: f["service_line"].map(labels.plain))
    every = [
        Table(
            "Headline figures",
            "summary-headlines",
            headline_rows,
            labels={"figure": "Headline", "now": now, "before": before, "change": f"Change against {before}"},
        ),
        Table(
            "Referrals by service line",
            "summary-service-lines",
            _with_ranges(
                lines,
                [
                    "category",
                    "referred",
                    "accepted",
                    "completed",
                    "completion_rate",
                    "completion_rate_earlier",
                    "change",
                ],
            ),
            counts=("referred", "accepted", "completed"),
            rates=("completion_rate", "completion_rate_earlier"),
            labels={
                "category": "Service line",
                "referred": "Referred",
                "accepted": "Accepted",
                "completed": "Completed",
                "completion_rate": f"Share completed, {now}",
                "completion_rate_earlier": f"Share completed, {before}",
                "change": "Change",
            },
        ),
        Table(
            "Interpreter coverage by language",
            "summary-languages",
            _with_ranges(
                languages,
                [
                    "category",
                    "needing_interpreter",
                    "with_interpreter",
                    "interpreter_coverage",
                    "interpreter_coverage_earlier",
                    "change",
                ],
            ),
            counts=("needing_interpreter", "with_interpreter"),
            rates=("interpreter_coverage", "interpreter_coverage_earlier"),
            labels={
                "category": "Language",
                "needing_interpreter": "Needing an interpreter",
                "with_interpreter": "With an interpreter",
                "interpreter_coverage": f"Coverage, {now}",
                "interpreter_coverage_earlier": f"Coverage, {before}",
                "change": "Change",
            },
        ),
        Table(
            "Outcomes achieved",
            "summary-outcomes",
            _with_ranges(
                outcomes, ["outcome", "assessed", "achieved", "achieved_share", "achieved_share_earlier", "change"]
            ),
            counts=("assessed", "achieved"),
            rates=("achieved_share", "achieved_share_earlier"),
            labels={
                "outcome": "Outcome",
                "assessed": "Assessed",
                "achieved": "Achieved",
                "achieved_share": f"Share achieved, {now}",
                "achieved_share_earlier": f"Share achieved, {before}",
                "change": "Change",
            },
        ),
        Table(
            "Budget and spend by funding stream",
            "summary-funding-streams",
            streams[["funding_stream", "budget", "spent", "spent_share"]],
            money=("budget", "spent"),
            rates=("spent_share",),
            labels={
                "funding_stream": "Funding stream",
                "budget": "Budget",
                "spent": "Spent",
                "spent_share": "Share of budget spent",
            },
        ),
        Table(
            "Spend by service line",
            "summary-spending",
            spending[["service_line", "spent", "spend_share"]],
            money=("spent",),
            rates=("spend_share",),
            labels={"service_line": "Service line", "spent": "Spent", "spend_share": "Share of all spend"},
        ),
    ]
    return every if s.earlier_published else [table.without_comparison() for table in every]


def counts_shown(summary: Summary) -> pd.DataFrame:
    """Every count the page shows, missing where suppressed: for the page's statement about suppression."""
    values = [h.now for h in summary.headlines if h.kind == "count"]
    if summary.earlier_published:
        values += [h.before for h in summary.headlines if h.kind == "count"]
    values += [v for table in tables(summary) for column in table.counts for v in table.frame[column]]
    return pd.DataFrame({"count": pd.array(values, dtype="Int64")})


def all_figures(summary: Summary) -> pd.DataFrame:
    """Every figure on the page, one per row: table, group, figure, its value as a number for a spreadsheet
    (rates in percent; empty where hidden, or where the figure is words), its unit, and the figure as the page
    shows it ('hidden (126–228)', 'up 3 points')."""
    rows = []
    for table in tables(summary):
        shown_table = table.shown()
        group = shown_table.columns[0]
        long = shown_table.melt(id_vars=[group], var_name="Figure", value_name="Shown").rename(columns={group: "Group"})
        numbers, units = _numbers(summary, table)
        long["Value"] = numbers.melt()["value"].to_numpy()
        long["Unit"] = units.melt()["value"].to_numpy()
        rows.append(long.assign(Table=table.title, Place=summary.where, Period=summary.when))
    every = pd.concat(rows, ignore_index=True)
    # Whole numbers as whole numbers in the file ('379', not '379.0'); a share keeps its decimal.
    every["Value"] = [pd.NA if pd.isna(v) else int(v) if float(v).is_integer() else v for v in every["Value"]]
    return every[["Place", "Period", "Table", "Group", "Figure", "Value", "Unit", "Shown"]]


def _numbers(summary: Summary, table: Table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table's figures (every column but the first) as numbers, and each one's unit: count, percent, money,
    or empty for words."""
    columns = table.shown().columns[1:]
    frame = table.frame[[c for c in table.frame.columns if c not in ui.range_columns([*table.counts, *table.rates])]]
    numbers = pd.DataFrame({c: pd.array([pd.NA] * len(frame), dtype="Float64") for c in columns})
    units = pd.DataFrame({c: [""] * len(frame) for c in columns})
    for label, col in zip(columns, frame.columns[1:]):
        if col in (*table.counts, *table.money, *table.rates):
            numbers[label] = ui.as_number(frame[col], percent=col in table.rates).astype("Float64").to_numpy()
            units[label] = "percent" if col in table.rates else "count" if col in table.counts else "money"
        elif table.key == "summary-headlines" and col in ("now", "before"):
            numbers[label] = [
                ui.as_number(pd.Series([h.now if col == "now" else h.before]), h.percent).astype("Float64").iloc[0]
                for h in summary.headlines
            ]
            units[label] = ["percent" if h.percent else "count" for h in summary.headlines]
    return numbers, units


@dataclass(frozen=True)
class Chart:
    title: str
    figure: alt.LayerChart | None
    """None where no figure in it is published: an empty chart would say nothing (and cannot be drawn)."""
    alt_text: str


def charts(summary: Summary) -> dict[str, Chart]:
    """Every chart on the page and in the report, by key, each with its text alternative."""
    s = summary
    both = f" and {s.earlier}" if s.earlier_published else ""
    lines = _both_periods(s, s.service_lines, "category", "completion_rate", labels.plain)
    outcomes = _both_periods(s, s.outcomes, "outcome", "achieved_share", labels.plain)
    funding = s.funding_streams.melt(
        id_vars=["funding_stream"], value_vars=["budget", "spent"], var_name="measure", value_name="amount"
    )
    funding["funding_stream"] = funding["funding_stream"].map(labels.plain)
    funding["measure"] = funding["measure"].map({"budget": "Budget", "spent": "Spent"})
    spending = pd.DataFrame(
        {"service_line": s.spending["service_line"].map(labels.plain), "spend_share": s.spending["spend_share"]}
    )
    return {
        "summary-completion-chart": _chart(
            lines,
            "group",
            "value",
            "Accepted referrals completed, by service line",
            f"Bar chart: for each service line, the share of accepted referrals completed in {s.period}{both}, "
            f"{s.where}. A grey line marks the range of a hidden rate; 'not shown', a rate withheld for its small "
            "base. The table of referrals by service line holds the same figures.",
            color="period",
            percent=True,
            value_title="Share completed",
            color_order=_periods(s),
        ),
        "summary-outcomes-chart": _chart(
            outcomes,
            "group",
            "value",
            "Outcomes achieved among those assessed",
            f"Bar chart: for each outcome, the share of those assessed who achieved it in {s.period}{both}, {s.where}. "
            "A grey line marks the range of a hidden rate; 'not shown', a rate withheld for its small base. "
            "The table of outcomes holds the same figures.",
            color="period",
            percent=True,
            value_title="Share achieved",
            color_order=_periods(s),
        ),
        "summary-funding-chart": _chart(
            funding,
            "funding_stream",
            "amount",
            f"Budget and spend by funding stream, {s.period}",
            f"Bar chart: budget and spend for each funding stream, {s.where}, {s.period}. The table of budget and spend "
            "holds the same figures.",
            color="measure",
            value_title="Amount",
            color_order=["Budget", "Spent"],
        ),
        "summary-spending-chart": _chart(
            spending,
            "service_line",
            "spend_share",
            f"Share of spend by service line, {s.period}",
            f"Bar chart: each service line's share of all spend, {s.where}, {s.period}. The table of spend by service "
            "line holds the same figures.",
            percent=True,
            value_title="Share of all spend",
        ),
    }


def _chart(rows: pd.DataFrame, category: str, value: str, title: str, alt_text: str, **options) -> Chart:
    if rows[value].isna().all():
        return Chart(title, None, alt_text)
    figure = ui.bars(rows, category, value, title, **options)
    # Category names in full: a cut name ('Federal victim ser...') tells a reader nothing.
    return Chart(title, figure.configure_axisY(labelLimit=240), alt_text)


def _periods(summary: Summary) -> list[str]:
    return [summary.period, summary.earlier] if summary.earlier_published else [summary.period]


def _both_periods(summary: Summary, frame: pd.DataFrame, key: str, rate: str, name) -> pd.DataFrame:
    """group, period, value (with value_lower and value_upper, a hidden rate's range): this period's rate and,
    where that period was published, a year earlier's."""

    def rows(period: str, column: str) -> pd.DataFrame:
        lower, upper = ui.ranges_of(frame, column)
        return pd.DataFrame(
            {
                "group": frame[key].map(name),
                "period": period,
                "value": frame[column],
                "value_lower": lower,
                "value_upper": upper,
            }
        )

    if not summary.earlier_published:
        return rows(summary.period, rate)
    return pd.concat([rows(summary.period, rate), rows(summary.earlier, _earlier(rate))], ignore_index=True)


def _earlier(column: str) -> str:
    """The name of `column` a year earlier: referred_earlier, and for a range referred_earlier_lower."""
    for end in ("_lower", "_upper"):
        if column.endswith(end):
            return f"{column.removesuffix(end)}_earlier{end}"
    return f"{column}_earlier"


def _with_ranges(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` of `frame`, with the ranges of those it carries ranges for (a table shows them with the figure)."""
    return frame[[*columns, *(c for c in ui.range_columns(columns) if c in frame.columns)]]


def _prefixed(prefix: str, sentences: list[str]) -> list[str]:
    return [prefix + sentence for sentence in sentences]
