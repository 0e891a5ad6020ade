"""The seed: a believable extract in the agency format, with findings for the dashboard to show."""

from __future__ import annotations

import pandas as pd
import pycountry
import pytest

from dashboard.hierarchy import OUTCOME_MEASURES, SERVICE_LINES, month_range, year_of
from dashboard.pipeline.extract import read_extract
from dashboard.pipeline.ingest import DEFAULT_THRESHOLD as K
from seed.generate import write_seed

HEADERS = {
    "hubs": "hub,name,region",
    "referrals": "month,hub,service_line,language,referred,accepted,first_appointment,completed,waited_over_30_days",
    "language_access": "month,hub,language,appointments_needing_interpreter,appointments_with_interpreter",
    "funding": "month,hub,funding_stream,service_line,budget,spent",
    "outcomes": "month,hub,measure,assessed,achieved",
}
KEYS = {
    "referrals": ["month", "hub", "service_line", "language"],
    "language_access": ["month", "hub", "language"],
    "funding": ["month", "hub", "funding_stream", "service_line"],
    "outcomes": ["month", "hub", "measure"],
}


def read(folder) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / f"{name}.csv", keep_default_na=False) for name in HEADERS}


@pytest.fixture(scope="module")
def default_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    write_seed(folder)
    return folder


@pytest.fixture(scope="module")
def extract(default_folder) -> dict[str, pd.DataFrame]:
    return read(default_folder)


def ratio(frame: pd.DataFrame, by: str, numerator: str, denominator: str) -> pd.Series:
    totals = frame.groupby(by)[[numerator, denominator]].sum()
    return totals[numerator] / totals[denominator]


def overall(frame: pd.DataFrame, numerator: str, denominator: str) -> float:
    return frame[numerator].sum() / frame[denominator].sum()


# Determinism


def test_the_same_arguments_write_the_same_bytes(default_folder, tmp_path):
    write_seed(tmp_path)
    for name in HEADERS:
        assert (tmp_path / f"{name}.csv").read_bytes() == (default_folder / f"{name}.csv").read_bytes(), name


def test_another_seed_writes_other_figures(default_folder, tmp_path):
    write_seed(tmp_path, seed=1)
    assert (tmp_path / "referrals.csv").read_bytes() != (default_folder / "referrals.csv").read_bytes()
    assert (tmp_path / "funding.csv").read_bytes() != (default_folder / "funding.csv").read_bytes()


# Format


def test_the_default_seed_is_an_extract_ingest_accepts(default_folder):
    accepted = read_extract(default_folder)
    assert len(accepted.hubs) == 6
    assert len(accepted.months) == 36


def test_every_file_has_exactly_the_format_header(default_folder):
    for name, header in HEADERS.items():
        assert (default_folder / f"{name}.csv").read_text().splitlines()[0] == header


def test_months_run_contiguously_from_start(tmp_path):
    write_seed(tmp_path, months=14, start="2024-11")
    expected = month_range("2024-11", "2025-12")
    for name, frame in read(tmp_path).items():
        if name != "hubs":
            assert sorted(frame["month"].unique()) == expected, name


def test_rows_are_sorted_unique_whole_and_never_all_zero(extract):
    for name, key in KEYS.items():
        frame = extract[name]
        measures = frame.drop(columns=key)
        assert frame[key].equals(frame[key].sort_values(key).reset_index(drop=True)), name
        assert not frame.duplicated(key).any(), name
        assert all(pd.api.types.is_integer_dtype(dtype) for dtype in measures.dtypes), name
        assert (measures >= 0).all().all(), name
        assert (measures != 0).any(axis=1).all(), name


def test_every_hub_in_any_file_is_listed_once(extract):
    listed = extract["hubs"]["hub"]
    assert listed.is_unique
    for name in KEYS:
        assert set(extract[name]["hub"]) <= set(listed), name


def test_cohort_stages_never_cross(extract):
    r = extract["referrals"]
    assert (r.referred >= r.accepted).all()
    assert (r.accepted >= r.first_appointment).all()
    assert (r.first_appointment >= r.completed).all()
    assert (r.waited_over_30_days <= r.first_appointment).all()
    access = extract["language_access"]
    assert (access.appointments_with_interpreter <= access.appointments_needing_interpreter).all()
    outcomes = extract["outcomes"]
    assert (outcomes.achieved <= outcomes.assessed).all()


def test_every_service_line_and_outcome_measure_appears_and_nothing_else(extract):
    assert set(extract["referrals"]["service_line"]) == set(SERVICE_LINES)
    assert set(extract["funding"]["service_line"]) <= set(SERVICE_LINES)
    assert set(extract["outcomes"]["measure"]) == set(OUTCOME_MEASURES)


def test_languages_are_many_and_valid_iso_639(extract):
    languages = set(extract["referrals"]["language"]) | set(extract["language_access"]["language"])
    assert len(languages) >= 15
    for code in languages:
        found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
        assert found is not None or code == "und", code


# Shape of the network


def test_default_network_is_six_hubs_in_three_regions_one_rural(extract):
    hubs = extract["hubs"]
    assert len(hubs) == 6
    assert hubs.groupby("region").size().tolist() == [2, 2, 2]
    assert sum("(rural)" in region for region in hubs["region"].unique()) == 1


def test_hubs_are_sized_like_real_ones(extract):
    r = extract["referrals"]
    yearly = r.groupby([r.month.map(year_of), "hub"]).referred.sum()
    assert yearly.between(40, 1000).all()
    per_hub = yearly.groupby("hub").mean()
    assert per_hub.max() >= 5 * per_hub.min()
    rural = extract["hubs"].loc[extract["hubs"].region.str.contains("rural"), "hub"]
    assert per_hub.idxmin() in set(rural)


def test_service_lines_and_languages_have_realistic_shares(extract):
    r = extract["referrals"]
    lines = r.groupby("service_line").referred.sum() / r.referred.sum()
    assert lines.idxmax() == "case_management"
    assert set(lines.nsmallest(3).index) <= {"education", "reproductive_health", "substance_use", "employment"}
    languages = r.groupby("language").referred.sum() / r.referred.sum()
    assert list(languages.nlargest(2).index) == ["en", "es"]
    assert languages["en"] + languages["es"] > 0.5
    assert (languages < 0.01).sum() >= 10  # a long tail


def test_language_mix_differs_by_hub(extract):
    r = extract["referrals"]
    by_hub = r.groupby(["hub", "language"]).referred.sum()
    share = by_hub / by_hub.groupby("hub").transform("sum")
    assert share.xs("vi", level="language").max() >= 0.08
    third_language = share.drop(["en", "es"], level="language").groupby("hub").idxmax()
    assert third_language.nunique() >= 4


def test_yearly_hub_service_lines_are_mostly_publishable_and_finest_months_mostly_not(extract):
    r = extract["referrals"]
    year = r.month.map(year_of)
    yearly = r.groupby([year, "hub", "service_line"]).referred.sum()
    all_cells = pd.MultiIndex.from_product([year.unique(), r.hub.unique(), SERVICE_LINES])
    yearly = yearly.reindex(all_cells, fill_value=0)
    assert (yearly >= K).mean() >= 0.7
    assert (r.referred < K).mean() >= 0.7


def test_interpreters_are_needed_by_non_english_speakers(extract):
    needing = extract["language_access"].groupby("language").appointments_needing_interpreter.sum()
    referred = extract["referrals"].groupby("language").referred.sum()
    assert "en" not in needing.index
    per_referral = needing / referred
    assert per_referral["und"] < 0.3 * per_referral["es"]


def test_funding_streams_pay_a_twelfth_of_a_calendar_year_grant_each_month(extract):
    funding = extract["funding"]
    assert funding.groupby("hub").funding_stream.nunique().between(3, 5).all()
    assert (funding.groupby(["hub", "funding_stream"]).service_line.nunique() >= 2).all()
    per_year = funding.groupby([funding.month.map(year_of), "hub", "funding_stream", "service_line"]).budget
    assert (per_year.nunique() == 1).all()


def test_outcomes_are_plausible_and_improve(extract):
    outcomes = extract["outcomes"]
    assert ratio(outcomes, "measure", "achieved", "assessed").between(0.4, 0.8).all()
    by_year = ratio(outcomes.assign(year=outcomes.month.map(year_of)), "year", "achieved", "assessed")
    assert by_year.is_monotonic_increasing
    assert by_year.iloc[-1] - by_year.iloc[0] >= 0.03


# Planted findings (seed/generate.py's docstring)


def test_mental_health_loses_people_between_acceptance_and_completion(extract):
    r = extract["referrals"]
    completion = ratio(r, "service_line", "completed", "accepted")
    first = ratio(r, "service_line", "first_appointment", "accepted")
    others = completion.drop("mental_health")
    assert completion["mental_health"] < 2 / 3 * others.min()
    assert first["mental_health"] < 0.8 * first.drop("mental_health").min()


def test_hmong_speakers_lack_interpreters_and_drop_off(extract):
    access = extract["language_access"]
    is_hmong = access.language == "hmn"
    assert overall(access[is_hmong], "appointments_with_interpreter", "appointments_needing_interpreter") < 0.55
    assert overall(access[~is_hmong], "appointments_with_interpreter", "appointments_needing_interpreter") > 0.85
    completion = ratio(extract["referrals"], "language", "completed", "referred")
    assert completion["hmn"] < 0.6 * completion["en"]


def test_state_grant_is_underspent_and_foundation_overspent(extract):
    spending = ratio(extract["funding"], "funding_stream", "spent", "budget")
    assert 0.5 <= spending["state_grant"] <= 0.7
    assert 1.08 <= spending["foundation"] <= 1.25
    assert spending.drop(["state_grant", "foundation"]).between(0.85, 1.05).all()


def test_one_rural_hub_has_long_waits(extract):
    r = extract["referrals"]
    waits = ratio(r, "hub", "waited_over_30_days", "first_appointment")
    network = overall(r, "waited_over_30_days", "first_appointment")
    slowest = waits.idxmax()
    assert waits[slowest] >= 2.5 * network
    assert "(rural)" in extract["hubs"].set_index("hub").region[slowest]
    assert waits.drop(slowest).max() < 2 * network


# A large network, for the benchmark


def test_a_fifty_hub_five_year_network_has_ten_regions_and_sixty_months(tmp_path):
    """The large network the benchmarks publish (benchmarks/run.py times making it)."""
    write_seed(tmp_path, hubs=50, months=60)
    data = read(tmp_path)
    regions = data["hubs"].groupby("region").size()
    assert len(regions) == 10 and regions.between(4, 6).all()
    assert data["hubs"]["name"].is_unique
    assert data["referrals"]["month"].nunique() == 60
