"""A synthetic agency extract: a believable network of care hubs for demos and benchmarks.

`write_seed` writes the five files of the extract format (hubs.csv, referrals.csv,
language_access.csv, funding.csv, outcomes.csv) so that the app has something real
to show on a fresh machine and the benchmark can build a large network. Every
figure is invented; the hubs, places and regions are fictional.

The network
- About five hubs per region, at least three regions; every third region is rural
  and underserved. The first hub of each metro region is a large urban hub (~700
  referrals a year), the first hub of each rural region a tiny one (~60 a year),
  the others draw 150-400 a year from a log-normal. The default is six hubs in
  North Valley, Coastal and High Plains (rural).
- Referrals follow the hub's size with summer-high seasonality and 5% growth a
  year; each cell is a Poisson draw, and each later stage of the cohort (accepted,
  first appointment, completed, waited over 30 days) a binomial draw of the stage
  before, so the format's consistency rules always hold.
- Every service line appears, case management the most common and education,
  reproductive health and substance use the rarest. 35 languages: English and
  Spanish dominate, a dozen are common, the rest a long tail, plus `und`; each hub
  has one community language at about 12% of its referrals (Vietnamese, Hmong,
  Chinese, Haitian Creole, ...).
- At this scale a hub's service line over a year is mostly large enough to
  publish (over a quarter, only the common lines of the larger hubs), while a
  month of one hub, service line and language is almost always below the
  disclosure threshold, as in reality.
- Interpreted appointments come from non-English referrals (rarely from `und`);
  hubs cover 85-95% of them. Each hub has 3-5 funding streams, each funding
  several service lines, with a calendar-year grant paid out as a twelfth a month;
  spending follows the hub's activity. Outcome achievement starts at 44-70% and
  improves by 3 points a year.

Planted findings (tests/test_seed.py checks each at the margin stated, on the
totals over the whole extract, for the default arguments):
1. Mental health loses people: its completed/accepted is below two thirds of every
   other service line's, and its first_appointment/accepted below 0.8 of every
   other line's.
2. Hmong (`hmn`) speakers are underserved: interpreter coverage (with/needing) is
   below 0.55 while the rest of the network's is above 0.85, and their
   completed/referred is below 0.6 of English speakers'.
3. `state_grant` is underspent (spent/budget between 0.5 and 0.7) and `foundation`
   overspent (between 1.08 and 1.25); every other stream spends 0.85-1.05.
4. One hub, the second of the first rural region, has long waits: its share of
   first appointments after more than 30 days is at least 2.5 times the network's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.hierarchy import OUTCOME_MEASURES, SERVICE_LINES, is_month, months_from, number_in_year, year_of

HUBS_PER_REGION = 5

METRO_REGIONS = ("North Valley", "Metro East", "Capital District", "Bay Metro", "Twin Rivers", "Lake City")
TOWN_REGIONS = ("Coastal", "Southern Hills", "Lakeshore", "River Delta", "Piedmont", "Eastern Shore")
RURAL_REGIONS = ("High Plains", "Pine Ridge", "Red Mesa", "Big Sky", "Sandhills", "North Woods")

METRO_PLACES = (
    "Riverside", "Maple Grove", "Union Square", "Fairview", "Eastgate", "Parkside", "Brookhaven",
    "Lincoln Heights", "Westbrook", "Northfield", "Oakmont", "Millbrook", "Highland Park", "Kingsbridge",
    "Ashford", "Elmwood", "Stonegate", "Grandview", "Southgate", "Old Mill", "Lakeview", "Copper Hill",
)  # fmt: skip
TOWN_PLACES = (
    "Harbor Point", "Seabrook", "Gull Bay", "Driftwood", "Pelican Cove", "Cape Willow", "Tidewater",
    "Marsh Landing", "Heron Bay", "Shell Beach", "Cedar Dunes", "Port Alder", "Stillwater Bay",
    "Sandpiper", "Bluff Point", "Osprey Inlet", "Wren Harbor",
)  # fmt: skip
RURAL_PLACES = (
    "Prairie Junction", "Dry Creek", "Sagebrush Flats", "Wheatland", "Coyote Gulch", "Windmill Springs",
    "Silo Crossing", "Juniper Butte", "Meadowlark", "Quail Hollow", "Bison Ridge", "Lone Cottonwood",
    "Hayfield", "Red Willow", "Badger Creek", "Sweetgrass", "Larkspur",
)  # fmt: skip

SERVICE_LINE_SHARES = {
    "case_management": 0.185,
    "mental_health": 0.13,
    "medical": 0.12,
    "legal": 0.12,
    "housing": 0.11,
    "immigration": 0.07,
    "peer_support": 0.07,
    "employment": 0.06,
    "education": 0.045,
    "reproductive_health": 0.045,
    "substance_use": 0.045,
}

FUNNEL = {
    # service line: P(accepted | referred), P(first appointment | accepted), P(completed | first appointment)
    "medical": (0.90, 0.88, 0.80),
    "mental_health": (0.86, 0.55, 0.45),  # planted finding 1
    "reproductive_health": (0.90, 0.88, 0.80),
    "substance_use": (0.82, 0.82, 0.62),
    "legal": (0.85, 0.85, 0.68),
    "immigration": (0.85, 0.85, 0.65),
    "housing": (0.80, 0.85, 0.65),
    "employment": (0.88, 0.85, 0.68),
    "education": (0.88, 0.85, 0.65),
    "peer_support": (0.92, 0.88, 0.80),
    "case_management": (0.92, 0.90, 0.75),
}

LANGUAGE_SHARES = {
    "en": 0.46, "es": 0.22, "und": 0.05,
    "zh": 0.03, "vi": 0.025, "ht": 0.02, "tl": 0.02, "ru": 0.015, "uk": 0.015, "ar": 0.015, "pt": 0.012,
    "fr": 0.01, "ko": 0.01, "th": 0.01, "ro": 0.008,
    "hmn": 0.004, "so": 0.004, "am": 0.003, "ti": 0.003, "ne": 0.003, "my": 0.003, "pa": 0.003, "hi": 0.003,
    "fa": 0.003, "mam": 0.003, "km": 0.002, "lo": 0.002, "bn": 0.002, "ur": 0.002, "ps": 0.002, "sw": 0.002,
    "quc": 0.002, "sq": 0.002, "prs": 0.002, "yo": 0.001,
}  # fmt: skip
COMMUNITY_LANGUAGES = ("zh", "hmn", "vi", "ht", "es", "so", "ru", "tl")
"""Hub i has a community speaking COMMUNITY_LANGUAGES[i % 8]; hub 1 is always Hmong."""
COMMUNITY_SHARE = 0.12

UNDERSERVED_LANGUAGE = "hmn"  # planted finding 2
UNDERSERVED_STAGE_FACTOR = 0.7
"""Each cohort stage's probability for Hmong speakers is scaled by this: completed/referred x0.34."""
OTHER_LANGUAGE_STAGE_FACTOR = 0.98
UNDERSERVED_COVERAGE = 0.40
NEEDS_INTERPRETER = {"en": 0.0, "und": 0.15}
"""Share of appointments needing an interpreter by language; 0.9 for any other."""
APPOINTMENTS_PER_CLIENT = 3.0

FUNDING_STREAM_LINES = {
    "federal_victim_services": ("case_management", "legal", "housing", "mental_health", "immigration"),
    "state_grant": ("case_management", "mental_health", "medical", "substance_use"),
    "foundation": ("education", "employment", "peer_support", "housing"),
    "medicaid": ("medical", "mental_health", "substance_use", "reproductive_health"),
    "philanthropy": ("peer_support", "education", "reproductive_health", "case_management"),
    "county_contract": ("housing", "case_management", "employment"),
}
EVERY_HUB_STREAMS = ("federal_victim_services", "state_grant", "foundation")
SPEND_RATIO = {"state_grant": 0.60, "foundation": 1.15}  # planted finding 3
"""Spent/budget for these streams; any other stream draws 0.92-1.0 per hub."""
COST_PER_REFERRAL = {
    "medical": 900, "mental_health": 1400, "reproductive_health": 700, "substance_use": 1600,
    "legal": 2200, "immigration": 2500, "housing": 3000, "employment": 1000, "education": 800,
    "peer_support": 400, "case_management": 1200,
}  # fmt: skip

OUTCOMES = {
    # measure: assessments per referral, share achieved at the start
    "safety_improved": (0.50, 0.68),
    "housing_stable": (0.30, 0.50),
    "symptom_relief": (0.30, 0.55),
    "employment_or_education": (0.20, 0.44),
    "satisfied_with_care": (0.40, 0.70),
}
OUTCOME_GAIN_PER_YEAR = 0.03

LONG_WAIT_SHARE = 0.30  # planted finding 4; other hubs 0.04-0.08, rural ones 0.03 more
GROWTH_PER_YEAR = 1.05
SEASONAL_AMPLITUDE = 0.12

LANGUAGES = tuple(LANGUAGE_SHARES)
STREAMS = tuple(FUNDING_STREAM_LINES)


DEFAULT_HUBS, DEFAULT_MONTHS = 6, 36
"""The seed `make run` publishes, and the benchmarks' default network: three regions of two hubs, three years."""
LARGE_HUBS, LARGE_MONTHS = 50, 60
"""The largest network the app is built to serve, for the benchmarks' --large."""


@dataclass(frozen=True)
class _Hub:
    slug: str
    name: str
    region: str
    rural: bool
    referrals_per_year: float


def write_seed(
    out: str | Path, hubs: int = DEFAULT_HUBS, months: int = DEFAULT_MONTHS, seed: int = 0, start: str = "2024-01"
) -> None:
    """Write a synthetic extract into `out`: the same bytes for the same arguments."""
    if hubs < 3:
        raise ValueError("a network needs at least 3 hubs, one per region")
    if months < 1:
        raise ValueError("months must be at least 1")
    if not is_month(start):
        raise ValueError(f"start must be a month as YYYY-MM, not {start!r}")
    rng = np.random.default_rng(seed)
    network = _network(hubs, rng)
    month_labels = months_from(start, months)
    expected = _expected_referrals(network, month_labels, rng)
    referrals = _referrals(expected, network, rng)
    hub_month_referrals = referrals["referred"].sum(axis=(2, 3))
    tables = {
        "referrals": (("month", "hub", "service_line", "language"), referrals),
        "language_access": (
            ("month", "hub", "language"),
            _language_access(referrals["first_appointment"], network, rng),
        ),
        "funding": (
            ("month", "hub", "funding_stream", "service_line"),
            _funding(network, month_labels, expected, hub_month_referrals, rng),
        ),
        "outcomes": (("month", "hub", "measure"), _outcomes(hub_month_referrals, month_labels, rng)),
    }
    labels = {
        "month": month_labels,
        "hub": [h.slug for h in network],
        "service_line": SERVICE_LINES,
        "language": LANGUAGES,
        "funding_stream": STREAMS,
        "measure": OUTCOME_MEASURES,
    }

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    hubs_frame = pd.DataFrame([(h.slug, h.name, h.region) for h in network], columns=["hub", "name", "region"])
    _write(hubs_frame.sort_values("hub"), folder / "hubs.csv")
    for name, (key, measures) in tables.items():
        _write(_rows({column: labels[column] for column in key}, measures), folder / f"{name}.csv")


def _network(hub_count: int, rng: np.random.Generator) -> list[_Hub]:
    """Regions of about five hubs; metro regions lead with a large hub, rural ones with a tiny one."""
    pools = {
        "metro": (METRO_REGIONS, METRO_PLACES),
        "town": (TOWN_REGIONS, TOWN_PLACES),
        "rural": (RURAL_REGIONS, RURAL_PLACES),
    }
    places_used = dict.fromkeys(pools, 0)
    network = []
    region_count = max(3, round(hub_count / HUBS_PER_REGION))
    for r, members in enumerate(np.array_split(np.arange(hub_count), region_count)):
        kind = ("metro", "town", "rural")[r % 3]
        region_pool, place_pool = pools[kind]
        region = _nth_name(region_pool, r // 3) + (" (rural)" if kind == "rural" else "")
        for position in range(len(members)):
            place = _nth_name(place_pool, places_used[kind])
            places_used[kind] += 1
            if position == 0 and kind == "metro":
                yearly = np.clip(rng.lognormal(np.log(700), 0.15), 550, 850)
            elif position == 0 and kind == "rural":
                yearly = np.clip(rng.lognormal(np.log(60), 0.15), 50, 80)
            else:
                yearly = np.clip(rng.lognormal(np.log(290), 0.3) * (0.75 if kind == "rural" else 1), 150, 400)
            slug = place.lower().replace(" ", "_")
            network.append(_Hub(slug, f"{place} Survivor Care Hub", region, kind == "rural", float(yearly)))
    return network


def _nth_name(pool: tuple[str, ...], n: int) -> str:
    """Names from the pool, then numbered ones once it runs out."""
    base = pool[n % len(pool)]
    return base if n < len(pool) else f"{base} {n // len(pool) + 1}"


def _long_wait_hub(network: list[_Hub]) -> int:
    """The second hub of the first rural region (its only hub in a network of fewer than six)."""
    region = next(h.region for h in network if h.rural)
    members = [i for i, h in enumerate(network) if h.region == region]
    return members[min(1, len(members) - 1)]


def _years_elapsed(month_labels: list[str]) -> np.ndarray:
    """Years since January of the extract's first year, for each month."""
    first_year = int(year_of(month_labels[0]))
    return np.array([(int(year_of(m)) - first_year) + (number_in_year("month", m) - 1) / 12 for m in month_labels])


def _expected_referrals(network: list[_Hub], month_labels: list[str], rng: np.random.Generator) -> np.ndarray:
    """Mean referrals per month x hub x service line x language."""
    calendar_month = np.array([number_in_year("month", m) for m in month_labels])
    season = 1 + SEASONAL_AMPLITUDE * np.cos(2 * np.pi * (calendar_month - 7) / 12)
    trend = GROWTH_PER_YEAR ** _years_elapsed(month_labels)
    per_month = np.outer(season * trend, [h.referrals_per_year / 12 for h in network])

    line_mix = np.array([SERVICE_LINE_SHARES[s] for s in SERVICE_LINES]) * rng.lognormal(
        0, 0.15, (len(network), len(SERVICE_LINES))
    )
    line_mix /= line_mix.sum(axis=1, keepdims=True)

    dominant = np.isin(LANGUAGES, ["en", "es"])
    spread = np.where(dominant, 1.0, rng.lognormal(0, 0.5, (len(network), len(LANGUAGES))))
    language_mix = np.array(list(LANGUAGE_SHARES.values())) * spread
    language_mix /= language_mix.sum(axis=1, keepdims=True)
    community = np.zeros_like(language_mix)
    for i in range(len(network)):
        community[i, LANGUAGES.index(COMMUNITY_LANGUAGES[i % len(COMMUNITY_LANGUAGES)])] = 1
    language_mix = (1 - COMMUNITY_SHARE) * language_mix + COMMUNITY_SHARE * community

    return per_month[:, :, None, None] * line_mix[None, :, :, None] * language_mix[None, :, None, :]


def _referrals(expected: np.ndarray, network: list[_Hub], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each stage of the cohort is a binomial draw of the stage before, so stages never cross."""
    language_factor = np.array(
        [
            UNDERSERVED_STAGE_FACTOR if lang == UNDERSERVED_LANGUAGE
            else 1.0 if lang in ("en", "und")
            else OTHER_LANGUAGE_STAGE_FACTOR
            for lang in LANGUAGES
        ]
    )  # fmt: skip
    funnel = np.array([FUNNEL[s] for s in SERVICE_LINES])
    accept, first, complete = (funnel[:, k, None] * language_factor for k in range(3))  # line x language

    wait_share = rng.uniform(0.04, 0.08, len(network)) + np.array([0.03 if h.rural else 0 for h in network])
    wait_share[_long_wait_hub(network)] = LONG_WAIT_SHARE

    referred = rng.poisson(expected)
    accepted = rng.binomial(referred, accept)
    first_appointment = rng.binomial(accepted, first)
    return {
        "referred": referred,
        "accepted": accepted,
        "first_appointment": first_appointment,
        "completed": rng.binomial(first_appointment, complete),
        "waited_over_30_days": rng.binomial(first_appointment, wait_share[:, None, None]),
    }


def _language_access(
    first_appointment: np.ndarray, network: list[_Hub], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Appointments needing an interpreter follow the non-English clients who reached one."""
    need = np.array([NEEDS_INTERPRETER.get(lang, 0.9) for lang in LANGUAGES])
    coverage = np.repeat(rng.uniform(0.85, 0.95, (len(network), 1)), len(LANGUAGES), axis=1)
    coverage[:, LANGUAGES.index(UNDERSERVED_LANGUAGE)] = UNDERSERVED_COVERAGE
    needing = rng.poisson(APPOINTMENTS_PER_CLIENT * first_appointment.sum(axis=2) * need)
    return {
        "appointments_needing_interpreter": needing,
        "appointments_with_interpreter": rng.binomial(needing, coverage),
    }


def _funding(
    network: list[_Hub],
    month_labels: list[str],
    expected: np.ndarray,
    hub_month_referrals: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Calendar-year grants sized to the expected work, paid a twelfth a month; spending follows activity."""
    optional = [s for s in STREAMS if s not in EVERY_HUB_STREAMS]
    share_of_cost = np.zeros((len(network), len(STREAMS), len(SERVICE_LINES)))
    spend_ratio = np.zeros((len(network), len(STREAMS)))
    for h in range(len(network)):
        chosen = [*EVERY_HUB_STREAMS, *rng.choice(optional, size=rng.integers(0, 3), replace=False)]
        for stream in chosen:
            spend_ratio[h, STREAMS.index(stream)] = SPEND_RATIO.get(stream, rng.uniform(0.92, 1.0))
        for s, line in enumerate(SERVICE_LINES):
            funders = [STREAMS.index(f) for f in chosen if line in FUNDING_STREAM_LINES[f]]
            if funders:
                share_of_cost[h, funders, s] = rng.dirichlet(np.ones(len(funders)))

    yearly_referrals = np.array([h.referrals_per_year for h in network])
    line_mix = expected.sum(axis=(0, 3)) / expected.sum(axis=(0, 2, 3))[:, None]
    yearly_cost = yearly_referrals[:, None] * line_mix * [COST_PER_REFERRAL[s] for s in SERVICE_LINES]
    month_years = np.array([int(year_of(m)) for m in month_labels])
    budget = np.zeros((len(month_labels), *share_of_cost.shape), dtype=np.int64)
    for year in np.unique(month_years):
        growth = GROWTH_PER_YEAR ** (year - month_years[0] + 0.5)
        need = yearly_cost[:, None, :] * share_of_cost * growth * rng.lognormal(0, 0.1, share_of_cost.shape)
        grant = np.where(share_of_cost > 0, np.maximum(np.round(need / 1200) * 1200, 1200), 0)
        budget[month_years == year] = grant // 12

    trend = GROWTH_PER_YEAR ** _years_elapsed(month_labels)
    activity = hub_month_referrals / np.outer(trend, yearly_referrals / 12)  # averages 1 over a year
    pace = (0.5 + 0.5 * activity)[:, :, None, None] * spend_ratio[None, :, :, None]
    spent = np.round(budget * pace * rng.lognormal(0, 0.08, budget.shape)).astype(np.int64)
    return {"budget": budget, "spent": spent}


def _outcomes(
    hub_month_referrals: np.ndarray, month_labels: list[str], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    rate, start_share = (np.array([OUTCOMES[m][k] for m in OUTCOME_MEASURES]) for k in range(2))
    achieved_share = np.minimum(start_share + OUTCOME_GAIN_PER_YEAR * _years_elapsed(month_labels)[:, None], 0.85)
    assessed = rng.poisson(hub_month_referrals[:, :, None] * rate)
    return {"assessed": assessed, "achieved": rng.binomial(assessed, achieved_share[:, None, :])}


def _rows(key: dict[str, tuple[str, ...] | list[str]], measures: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per combination with any nonzero measure, sorted by the key columns.

    Each array's axes follow `key`; reordering every axis by its sorted labels makes
    numpy's row-major order the sorted order, so no string sort is needed.
    """
    labels = [np.asarray(values) for values in key.values()]
    order = np.ix_(*(np.argsort(values, kind="stable") for values in labels))
    values = {name: array[order] for name, array in measures.items()}
    nonzero = np.logical_or.reduce([array != 0 for array in values.values()])
    positions = np.nonzero(nonzero)
    frame = pd.DataFrame({column: np.sort(axis_labels)[at] for column, axis_labels, at in zip(key, labels, positions)})
    for name, array in values.items():
        frame[name] = array[nonzero]
    return frame


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")
