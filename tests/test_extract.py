"""The agency extract contract (/work/shared/extract-format.md): what is read, and what is refused."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.hierarchy import TOPICS
from dashboard.pipeline.extract import (
    MAX_EXCERPT,
    MAX_FILE_BYTES,
    MAX_LISTED,
    Extract,
    ExtractError,
    Problem,
    read_extract,
)

REFERRALS_HEADER = "month,hub,service_line,language,referred,accepted,first_appointment,completed,waited_over_30_days\n"
VALID = {
    "hubs.csv": "hub,name,region\nnorth,North Hub,Upstate\nsouth,Südhafen Hub,Coast\n",
    "referrals.csv": REFERRALS_HEADER + "2024-01,north,medical,en,12,10,8,5,2\n2024-04,south,legal,hmn,4,4,3,3,0\n",
    "language_access.csv": "month,hub,language,appointments_needing_interpreter,appointments_with_interpreter\n"
    "2024-02,south,es,6,5\n",
    "outcomes.csv": "month,hub,measure,assessed,achieved\n2024-01,north,housing_stable,7,3\n",
}
"""A minimal valid extract. funding.csv is absent, as a file may be."""


def write_extract(folder: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """Write VALID into `folder`, with some files' contents replaced (or removed, given None)."""
    for name, content in (VALID | (changes or {})).items():
        if content is None:
            continue
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(ExtractError) as refused:
        read_extract(folder)
    return refused.value.problems


def only_problem(folder: Path) -> Problem:
    problems = problems_of(folder)
    assert len(problems) == 1, problems
    return problems[0]


def with_referral(row: str) -> dict[str, str]:
    """The valid extract plus one more referrals row, on line 4."""
    return {"referrals.csv": VALID["referrals.csv"] + row + "\n"}


# --- what a valid extract reads into -------------------------------------------------


def test_a_valid_extract_reads_into_the_documented_frames(tmp_path):
    extract = read_extract(write_extract(tmp_path))

    assert isinstance(extract, Extract)
    assert extract.hubs.to_dict("records") == [
        {"hub": "north", "name": "North Hub", "region": "Upstate"},
        {"hub": "south", "name": "Südhafen Hub", "region": "Coast"},
    ]
    assert extract.months == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert set(extract.tables) == set(TOPICS)
    for name, topic in TOPICS.items():
        table = extract.tables[name]
        assert list(table.columns) == ["month", "hub", *topic.grain, *topic.measures]
        assert all(table[measure].dtype == "int64" for measure in topic.measures)
    referrals = extract.tables["referrals"]
    assert referrals.loc[referrals["hub"] == "south", "first_appointment"].tolist() == [3]
    assert extract.tables["outcomes"]["outcome"].tolist() == ["housing_stable"]


def test_an_absent_file_gives_an_empty_frame_with_its_columns(tmp_path):
    funding = read_extract(write_extract(tmp_path)).tables["funding"]

    assert funding.empty
    assert list(funding.columns) == ["month", "hub", "funding_stream", "service_line", "budget", "spent"]
    assert funding["budget"].dtype == "int64"


def test_columns_may_come_in_any_order(tmp_path):
    reordered = "hub,referred,month,language,service_line,completed,accepted,waited_over_30_days,first_appointment\n"
    changes = {"referrals.csv": reordered + "north,12,2024-01,en,medical,5,10,2,8\n"}

    referrals = read_extract(write_extract(tmp_path, changes)).tables["referrals"]

    assert referrals.iloc[0].to_dict() == {
        "month": "2024-01", "hub": "north", "service_line": "medical", "language": "en",
        "referred": 12, "accepted": 10, "first_appointment": 8, "completed": 5, "waited_over_30_days": 2,
    }  # fmt: skip


def test_spreadsheet_habits_are_tolerated(tmp_path):
    """A byte-order mark, Windows line endings, padding around values and blank lines."""
    hubs = "\ufeffhub , name,region\r\n\r\n north ,  North Hub , Upstate\r\n\r\n"
    changes = {"hubs.csv": hubs, "referrals.csv": REFERRALS_HEADER + "2024-01, north ,medical,en, 12 ,10,8,5,2\n"}
    extract = read_extract(write_extract(tmp_path, changes | {"language_access.csv": None, "outcomes.csv": None}))

    assert extract.hubs.to_dict("records") == [{"hub": "north", "name": "North Hub", "region": "Upstate"}]
    assert extract.tables["referrals"]["referred"].tolist() == [12]


def test_spending_may_exceed_the_budget(tmp_path):
    funding = "month,hub,funding_stream,service_line,budget,spent\n2024-01,north,state_grant,housing,1000,1500\n"

    table = read_extract(write_extract(tmp_path, {"funding.csv": funding})).tables["funding"]

    assert table[["budget", "spent"]].values.tolist() == [[1000, 1500]]


def test_names_are_letters_of_any_script_digits_spaces_and_plain_punctuation(tmp_path):
    names = ["Tōhoku 東北", "Ĉefa Nabo 2", "Hà Nội", "हिन्दी केंद्र", "مركز الرعاية", "St. Mary's (North) & Co. - 2/3, ltd"]
    hubs = "hub,name,region\n" + "".join(f'h{n},"{name}","{name}"\n' for n, name in enumerate(names))
    hubs = hubs.replace("Hà Nội", unicodedata.normalize("NFD", "Hà Nội"))  # combining marks, as some systems write it
    referrals = REFERRALS_HEADER + "2024-01,h0,medical,en,12,10,8,5,2\n"
    changes = {"hubs.csv": hubs, "referrals.csv": referrals, "language_access.csv": None, "outcomes.csv": None}

    extract = read_extract(write_extract(tmp_path, changes))

    assert [unicodedata.normalize("NFC", name) for name in extract.hubs["name"]] == names
    assert extract.hubs["region"].tolist() == extract.hubs["name"].tolist()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("east,East Hub,Coastal ![r](http://127.0.0.1:9/region.png)", "region 'Coastal ![r](http://127.0.0.1:9/region.p'… contains '!', which a name may not hold"),
        ('east,"=HYPERLINK(""http://x"",""Click"")",Upstate', "name '=HYPERLINK(\"http://x\",\"Click\")' contains '=', which a name may not hold"),
        ("east,<img src=x>,Upstate", "name '<img src=x>' contains '<', which a name may not hold"),
        ("east,**East**,Upstate", "name '**East**' contains '*', which a name may not hold"),
        ("east,East_Hub,Upstate", "name 'East_Hub' contains '_', which a name may not hold"),
        ("east,East Hub ☂,Upstate", "name 'East Hub ☂' contains '☂' (U+2602 UMBRELLA), which a name may not hold"),
        ("east,East\u00a0Hub,Upstate", "name 'East\\xa0Hub' contains '\\xa0' (U+00A0 NO-BREAK SPACE), which a name may not hold"),
        ("east,East\u202eHub,Upstate", "name 'East\\u202eHub' contains '\\u202e' (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ],
)  # fmt: skip
def test_a_name_with_a_character_markdown_or_html_could_read_is_refused_naming_it(tmp_path, row, reason):
    problem = only_problem(write_extract(tmp_path, {"hubs.csv": VALID["hubs.csv"] + row + "\n"}))

    assert (problem.file, problem.line) == ("hubs.csv", 4)
    assert problem.reason.startswith(reason), problem.reason
    assert "letters, digits, spaces" in problem.reason


def test_a_problem_reads_as_file_line_and_reason():
    assert str(Problem("referrals.csv", 14, "accepted (12) is more than referred (9)")) == (
        "referrals.csv:14: accepted (12) is more than referred (9)"
    )
    assert str(Problem("hubs.csv", None, "is missing")) == "hubs.csv: is missing"
    assert str(Problem("", None, "the extract holds no figures")) == "the extract holds no figures"


# --- the folder and its files --------------------------------------------------------


def test_a_missing_folder_is_refused(tmp_path):
    problem = only_problem(tmp_path / "nowhere")

    assert (problem.file, problem.line) == ("", None)
    assert "does not exist" in problem.reason


def test_a_file_given_as_the_folder_is_refused(tmp_path):
    (tmp_path / "extract.zip").write_bytes(b"PK")

    assert "is not a folder" in only_problem(tmp_path / "extract.zip").reason


def test_hubs_csv_is_required(tmp_path):
    problem = only_problem(write_extract(tmp_path, {"hubs.csv": None}))

    assert (problem.file, problem.line) == ("hubs.csv", None)
    assert "missing" in problem.reason


def test_a_file_with_an_unknown_name_is_refused_with_a_guess(tmp_path):
    write_extract(tmp_path, {"referals.csv": VALID["referrals.csv"]})

    problem = only_problem(tmp_path)

    assert (problem.file, problem.line) == ("referals.csv", None)
    assert "Did you mean referrals.csv?" in problem.reason


def test_a_folder_where_a_file_should_be_is_refused(tmp_path):
    write_extract(tmp_path, {"outcomes.csv": None})
    (tmp_path / "outcomes.csv").mkdir()

    assert only_problem(tmp_path) == Problem("outcomes.csv", None, "is not a file")


SECRET = "k3Y-" + "s3cr3t" * 10
"""What a file outside the extract might hold, such as the data folder's cookie key."""


@pytest.mark.parametrize("name", ["hubs.csv", "outcomes.csv"])
def test_a_symbolic_link_is_refused_and_never_followed(tmp_path, name):
    outside = tmp_path / "cookie.key"
    outside.write_text(SECRET + "\n")
    extract = tmp_path / "extract"
    extract.mkdir()
    write_extract(extract, {name: None})
    (extract / name).symlink_to(outside)

    problems = problems_of(extract)

    assert [(p.file, p.line) for p in problems] == [(name, None)]
    assert "symbolic link" in problems[0].reason
    assert not any(piece in str(problems[0]) for piece in ("k3Y", "s3cr3t"))


def test_a_symbolic_link_to_a_system_file_is_refused_without_reading_it(tmp_path):
    write_extract(tmp_path, {"hubs.csv": None})
    (tmp_path / "hubs.csv").symlink_to("/etc/passwd")

    problem = only_problem(tmp_path)

    assert problem.file == "hubs.csv" and "symbolic link" in problem.reason and "root" not in problem.reason


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    write_extract(tmp_path, {"outcomes.csv": None})
    os.mkfifo(tmp_path / "outcomes.csv")

    assert only_problem(tmp_path) == Problem("outcomes.csv", None, "is not a file")


def test_a_refusal_quotes_only_a_short_excerpt_of_what_a_file_holds(tmp_path):
    problems = problems_of(write_extract(tmp_path, {"hubs.csv": SECRET + "\nnorth,North Hub,Upstate\n"}))

    assert all(SECRET[: MAX_EXCERPT + 1] not in str(problem) for problem in problems)
    assert any(SECRET[:MAX_EXCERPT] in str(problem) for problem in problems)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    write_extract(tmp_path)
    with open(tmp_path / "referrals.csv", "r+b") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: NUL bytes that would be refused line by line if read

    problem = only_problem(tmp_path)

    assert (problem.file, problem.line) == ("referrals.csv", None)
    assert problem.reason == f"is {MAX_FILE_BYTES + 1:,} bytes, more than the {MAX_FILE_BYTES:,} bytes a file may hold"


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path):
    """Padded with spaces, which are tolerated around values, in rows of at most 100,000 bytes."""
    header = "month,hub,measure,assessed,achieved\n"
    full, rest = divmod(MAX_FILE_BYTES - len(header), 100_000)
    sizes = [100_000] * full + [rest]
    lines = [
        f"{2000 + n // 12}-{n % 12 + 1:02d},north,housing_stable,7,3".ljust(size - 1) + "\n"
        for n, size in enumerate(sizes)
    ]
    write_extract(tmp_path, {"outcomes.csv": header + "".join(lines)})
    assert (tmp_path / "outcomes.csv").stat().st_size == MAX_FILE_BYTES

    assert read_extract(tmp_path).tables["outcomes"]["assessed"].sum() == 7 * len(sizes)


def test_an_extract_with_nothing_but_hubs_is_refused(tmp_path):
    header_only = {"funding.csv": "month,hub,funding_stream,service_line,budget,spent\n"}
    changes = {name: None for name in VALID if name != "hubs.csv"} | header_only

    problem = only_problem(write_extract(tmp_path, changes))

    assert (problem.file, problem.line) == ("", None)
    assert "no figures" in problem.reason


# --- encoding and header -------------------------------------------------------------


def test_text_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    hubs = "hub,name,region\nnorth,North Hub,Upstate\nsouth,Südhafen Hub,Coast\n".encode("latin-1")

    problem = only_problem(write_extract(tmp_path, {"hubs.csv": hubs}))

    assert (problem.file, problem.line) == ("hubs.csv", 3)
    assert "UTF-8" in problem.reason


def test_an_empty_file_is_refused(tmp_path):
    problem = only_problem(write_extract(tmp_path, {"outcomes.csv": ""}))

    assert (problem.file, problem.line) == ("outcomes.csv", None)
    assert "empty" in problem.reason and "header" in problem.reason


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("month,hub,measure,assessed", "the header row is missing the column achieved"),
        (
            "month,hub,measure,assessed,achieved,notes",
            "the header row has a column 'notes' that this file does not have",
        ),
        ("month,hub,measure,assessed,achieved,hub", "the header row has the column hub more than once"),
        ("Month,hub,measure,assessed,achieved", "the header row is missing the column month"),
    ],
)
def test_the_header_must_name_exactly_the_documented_columns(tmp_path, header, reason):
    problems = problems_of(write_extract(tmp_path, {"outcomes.csv": header + "\n"}))

    assert problems[0].file == "outcomes.csv" and problems[0].line == 1
    assert any(problem.reason.startswith(reason) for problem in problems), problems


# --- values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2024-02,north,medical,en,3,2,1,0", "has 8 values but the header names 9 columns"),
        ("2024-02,north,medical,en,3,2,1,0,0,0", "has 10 values but the header names 9 columns"),
        ("2024-02,north,,en,3,2,1,0,0", "service_line is blank"),
        ("2024-02,north,medical,en,3,2,1,0,  ", "waited_over_30_days is blank"),
        ("2024-13,north,medical,en,3,2,1,0,0", "month '2024-13' is not a month written as YYYY-MM"),
        ("2024-2,north,medical,en,3,2,1,0,0", "month '2024-2' is not a month written as YYYY-MM"),
        ("Feb 2024,north,medical,en,3,2,1,0,0", "month 'Feb 2024' is not a month"),
        ("2024-02,North,medical,en,3,2,1,0,0", "hub 'North' is not a valid id"),
        ("2024-02,east,medical,en,3,2,1,0,0", "hub 'east' is not listed in hubs.csv"),
        ("2024-02,north,dental,en,3,2,1,0,0", "service_line 'dental' is not a known service line"),
        ("2024-02,north,medical,EN,3,2,1,0,0", "language 'EN' is not an ISO 639-1 or ISO 639-3 language code in lower case"),
        ("2024-02,north,medical,xx,3,2,1,0,0", "language 'xx' is not an ISO 639-1"),
        ("2024-02,north,medical,english,3,2,1,0,0", "language 'english' is not an ISO 639-1"),
        ("2024-02,north,medical,en,3.0,2,1,0,0", "referred '3.0' is not a whole number written with digits only"),
        ("2024-02,north,medical,en,3,-2,1,0,0", "accepted '-2' is not a whole number"),
        ("2024-02,north,medical,en,+3,2,1,0,0", "referred '+3' is not a whole number"),
        ('2024-02,north,medical,en,"1,200",2,1,0,0', "referred '1,200' is not a whole number"),
        ("2024-02,north,medical,en,1e3,2,1,0,0", "referred '1e3' is not a whole number"),
        ("2024-02,north,medical,en,1000001,2,1,0,0", "referred '1000001' is more than 1,000,000, the most one row may hold"),
        ("2024-02,north,medical,en,3,4,1,0,0", "accepted (4) is more than referred (3)"),
        ("2024-02,north,medical,en,3,2,3,0,0", "first_appointment (3) is more than accepted (2)"),
        ("2024-02,north,medical,en,3,2,1,2,0", "completed (2) is more than first_appointment (1)"),
        ("2024-02,north,medical,en,3,2,1,0,2", "waited_over_30_days (2) is more than first_appointment (1)"),
        ("2024-01,north,medical,en,3,2,1,0,0", "is a second row for month '2024-01', hub 'north', service_line 'medical', language 'en' (the first is on line 2)"),
    ],
)  # fmt: skip
def test_a_wrong_referrals_row_is_refused_naming_line_column_and_value(tmp_path, row, reason):
    problem = only_problem(write_extract(tmp_path, with_referral(row)))

    assert (problem.file, problem.line) == ("referrals.csv", 4)
    assert problem.reason.startswith(reason), problem.reason


def test_every_iso_639_code_and_und_are_languages(tmp_path):
    rows = [f"2024-02,north,medical,{code},1,1,1,1,0" for code in ("es", "zh", "hmn", "yue", "und")]

    referrals = read_extract(write_extract(tmp_path, with_referral("\n".join(rows)))).tables["referrals"]

    assert set(referrals["language"]) == {"en", "es", "zh", "hmn", "yue", "und"}


@pytest.mark.parametrize(
    ("file", "row", "reason"),
    [
        ("language_access.csv", "2024-03,north,vi,2,3", "appointments_with_interpreter (3) is more than appointments_needing_interpreter (2)"),
        ("outcomes.csv", "2024-03,north,symptom_relief,2,3", "achieved (3) is more than assessed (2)"),
        ("outcomes.csv", "2024-03,north,happiness,3,2", "measure 'happiness' is not a known outcome measure"),
        ("funding.csv", "2024-03,north,State Grant,legal,10,5", "funding_stream 'State Grant' is not a valid id"),
        ("funding.csv", "2024-03,north,state_grant,legal,1000000000001,5", "budget '1000000000001' is more than 1,000,000,000,000"),
        ("funding.csv", "2024-03,north,state_grant,legal,10,99999999999999999999999", "spent '99999999999999999999999' is more than 1,000,000,000,000"),
    ],
)  # fmt: skip
def test_a_wrong_row_in_another_file_is_refused(tmp_path, file, row, reason):
    header = VALID.get(file, "month,hub,funding_stream,service_line,budget,spent\n").splitlines()[0]
    problem = only_problem(write_extract(tmp_path, {file: f"{header}\n{row}\n"}))

    assert (problem.file, problem.line) == (file, 2)
    assert problem.reason.startswith(reason), problem.reason


def test_money_up_to_a_trillion_is_accepted(tmp_path):
    funding = "month,hub,funding_stream,service_line,budget,spent\n2024-01,north,medicaid,medical,1000000000000,0\n"

    table = read_extract(write_extract(tmp_path, {"funding.csv": funding})).tables["funding"]

    assert table["budget"].tolist() == [10**12]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("north,Again,Upstate", "is a second row for hub 'north' (the first is on line 2)"),
        ("east,,Upstate", "name is blank"),
        ("east,East Hub,", "region is blank"),
        ("network,Network Hub,Upstate", "hub 'network' is a reserved word"),
        ("all,All Hub,Upstate", "hub 'all' is a reserved word"),
        ("east,East Hub,Network", "region 'Network' is a reserved word"),
        ('"=HYPERLINK(""x"")",East Hub,Upstate', "hub '=HYPERLINK(\"x\")' is not a valid id"),
        ("east," + "n" * 101 + ",Upstate", "name '" + "n" * 40 + "'… is longer than 100 characters"),
        ('east,"East\tHub",Upstate', "name 'East\\tHub' contains a control character"),
        ('east,"East\nHub",Upstate', "name 'East\\nHub' contains a control character"),
        ("east,East\x00Hub,Upstate", "name 'East\\x00Hub' contains a control character"),
    ],
)
def test_a_wrong_hub_is_refused(tmp_path, row, reason):
    problem = only_problem(write_extract(tmp_path, {"hubs.csv": VALID["hubs.csv"] + row + "\n"}))

    assert (problem.file, problem.line) == ("hubs.csv", 4)
    assert problem.reason.startswith(reason), problem.reason


def test_a_name_of_exactly_100_characters_is_accepted(tmp_path):
    hubs = VALID["hubs.csv"] + "east," + "é" * 100 + ",Upstate\n"

    assert read_extract(write_extract(tmp_path, {"hubs.csv": hubs})).hubs["name"].str.len().max() == 100


# --- reporting -----------------------------------------------------------------------


def test_every_problem_across_files_is_reported_together_in_order(tmp_path):
    changes = {
        "hubs.csv": VALID["hubs.csv"] + "north,Again,Upstate\n",
        "referrals.csv": REFERRALS_HEADER + "2024-01,north,medical,en,9,12,8,5,2\n2024-99,north,dental,en,x,1,1,1,0\n",
        "outcomes.csv": "month,hub,measure,assessed\n",
        "referals.csv": "",
    }

    problems = problems_of(write_extract(tmp_path, changes))

    assert [(p.file, p.line) for p in problems] == [
        ("hubs.csv", 4),
        ("outcomes.csv", 1),
        ("referals.csv", None),
        ("referrals.csv", 2),
        ("referrals.csv", 3),
        ("referrals.csv", 3),
        ("referrals.csv", 3),
    ]
    assert [p.reason.split(" is ")[0] for p in problems[-4:]] == [
        "accepted (12)",
        "month '2024-99'",
        "service_line 'dental'",
        "referred 'x'",
    ]


def test_a_wholly_wrong_file_lists_a_limited_number_of_problems(tmp_path):
    rows = "".join(f"{n},north,medical,en,1,1,1,1,0\n" for n in range(3 * MAX_LISTED))
    problems = problems_of(write_extract(tmp_path, {"referrals.csv": REFERRALS_HEADER + rows}))

    assert len(problems) == MAX_LISTED + 1
    assert [p.line for p in problems[:MAX_LISTED]] == list(range(2, MAX_LISTED + 2))
    assert problems[-1] == Problem(
        "referrals.csv", None, f"{2 * MAX_LISTED} more problems in this file are not listed: fix those above first"
    )


# --- hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ('hub,name,region\nnorth,"North Hub,Upstate\nsouth,South,Coast\n', 2, 'has a quote (") that is never closed'),
        ('hub,name,region\nnorth,"North" Hub,Upstate\n', 2, "is not well-formed CSV"),
        (
            "hub,name,region\nnorth,North Hub,Upstate\nsouth," + "x" * 10_000_000 + ",Coast\n",
            3,
            "holds a value longer than",
        ),
        ("hub,name,region\nnorth,North Hub,Upstate\nsou\x00th,South,Coast\n", 3, "hub 'sou\\x00th' is not a valid id"),
    ],
)
def test_hostile_input_is_refused_with_a_reason(tmp_path, content, line, reason):
    problems = problems_of(write_extract(tmp_path, {"hubs.csv": content}))

    assert problems[0].file == "hubs.csv" and problems[0].line == line
    assert problems[0].reason.startswith(reason), problems[0].reason


def test_a_file_saved_as_utf16_is_refused(tmp_path):
    problems = problems_of(write_extract(tmp_path, {"outcomes.csv": VALID["outcomes.csv"].encode("utf-16")}))

    assert problems[0] == Problem(
        "outcomes.csv", 1, "is not valid UTF-8 text: save the file as UTF-8 (in spreadsheet software, CSV UTF-8)"
    )


def test_a_file_name_that_is_not_utf8_is_reported_printably(tmp_path):
    write_extract(tmp_path)
    (tmp_path / os.fsdecode(b"ref\xe9rrals.csv")).write_bytes(b"")

    problem = only_problem(tmp_path)

    assert problem.file == "ref\ufffdrrals.csv"


VALUE_PIECES = st.sampled_from(
    [b"2024-01", b"2024-13", b"north", b"south", b"medical", b"en", b"1", b"0", b"12", b"-1", b" ", b",", b'"']
    + [b"\n", b"\r", b"\x00", "é".encode(), "é".encode("latin-1"), b"\xff\xfe"]
)
CSV_ISH = st.lists(
    st.lists(st.lists(VALUE_PIECES, max_size=3).map(b"".join), min_size=1, max_size=10).map(b",".join), max_size=8
).map(b"\n".join)
"""Lines of roughly the right number of values, made of good and bad pieces."""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file=st.sampled_from(list(VALID)),
    body=st.one_of(st.binary(max_size=300), CSV_ISH),
    keep_header=st.booleans(),
)
def test_any_bytes_in_a_file_are_read_or_refused_never_crash(tmp_path, file, body, keep_header):
    header = VALID[file].splitlines(keepends=True)[0].encode() if keep_header else b""
    write_extract(tmp_path, {file: header + body})

    try:
        read_extract(tmp_path)
    except ExtractError as refused:
        assert refused.problems
        for problem in refused.problems:
            str(problem).encode("utf-8")  # printable: no stray surrogates
