"""The data governance page's content: what is held and what never is, the disclosure rule, the feedback form,
who sees what, how to audit.

Everything that could drift is read from the code that enforces it: the threshold
from the current release, the tables from hierarchy.py, the feedback promises
from feedback/, the page table from access.PAGES. Given as blocks, so that the
live page and the static site (publish.py) say the same.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from feedback import scrub, store
from feedback.i18n import LANGUAGES

from ..hierarchy import LANGUAGES_SHOWN_BELOW_NETWORK, TOPICS
from ..identity import access
from ..read import data, labels
from .public_summary import Table

TITLE = "Data governance"


class Block(NamedTuple):
    kind: str
    """'title', 'subheader', 'markdown', 'code' or 'table'."""
    text: str = ""
    table: Table | None = None


def _shown_languages() -> str:
    return " and ".join(labels.language(code) for code in sorted(LANGUAGES_SHOWN_BELOW_NETWORK))


def blocks() -> list[Block]:
    """The page, block by block, for the current release."""
    every: list[Block] = []

    def add(kind: str, text: str) -> None:
        every.append(Block(kind, text))

    def add_table(frame: pd.DataFrame, title: str, key: str, labels: dict) -> None:
        every.append(Block("table", table=Table(title, key, frame, labels=labels)))

    release = data.run("release_info").iloc[0]
    k = int(release["threshold"])
    hubs = data.run("hubs")

    add("title", TITLE)
    add(
        "markdown",
        "What Hub Dashboard holds, what it never holds, how every published figure is protected, and who may see what. "
        "Nothing on this page is written by hand where the software can say it: each list below is read from the "
        "rules the software itself enforces.",
    )

    add("subheader", "What the warehouse holds")
    add(
        "markdown",
        f"The warehouse is the only database the dashboard reads. It holds release {release['number']}, published on "
        f"{release['published_on']:%d %B %Y}, covering {release['first_month']} to {release['last_month']}: counts of "
        f"events (referrals, appointments, assessments) and money, for {len(hubs)} hubs in "
        f"{hubs['region'].nunique()} regions and for the whole network, by month, and by quarter and year once complete.",
    )
    add_table(
        pd.DataFrame(
            {
                "topic": [labels.plain(t.name) for t in TOPICS.values()],
                "figures": [", ".join(labels.plain(m) for m in t.measures) for t in TOPICS.values()],
                "views": [
                    "; ".join(
                        "by " + " and ".join(labels.plain(c).lower() for c in b) if b else "total" for b in t.breakdowns
                    )
                    for t in TOPICS.values()
                ],
                "protection": [
                    f"counts from 1 to {k - 1} suppressed" if t.count_of_people else "money: never suppressed"
                    for t in TOPICS.values()
                ],
            }
        ),
        "Published figures",
        "governance-topics",
        labels={"topic": "Topic", "figures": "Figures", "views": "Published views", "protection": "Protection"},
    )

    add("subheader", "What it never holds")
    add(
        "markdown",
        "- **Anything about one person.** Agencies send counts of events by month, hub, service line and language; "
        "never a name, date of birth, address, case number or any other record of a survivor.\n"
        "- **The value of a suppressed figure.** A suppressed figure is there, marked as suppressed, with no value.\n"
        "- **Counts finer than the published views.** The counts that published figures are built from are kept apart, "
        "beside the warehouse, only to build the next release; the dashboard never opens them.\n"
        "- **Anything from the feedback form.** Feedback is kept in a separate store (below).",
    )

    add("subheader", "The disclosure rule")
    add(
        "markdown",
        f"- The threshold in force is **{k}**: a count from 1 to {k - 1} is never published. Zeros are published, so a "
        "blank is never a zero.\n"
        f"- Further figures are suppressed wherever a hidden count could otherwise be worked out, or narrowed to fewer "
        f"than {k} possible values, from the published figures around it (totals, other periods, other places).\n"
        f"- A rate is shown only where both of its parts are published and its base is at least {k}.\n"
        "- Quarters and years are published only once every month in them is in, so a published figure never changes "
        "as later months arrive; a figure whose data did not change keeps its status from one release to the next.\n"
        "- Money is not a count of people and is never suppressed.\n"
        "- The public pages never go below region level, even where a hub's figures would pass suppression.\n"
        "- **Languages are grouped below the network.** Most languages bring a hub a handful of referrals a year; shown "
        "one by one they would nearly all be hidden, and protecting them would hide the totals around them. So hubs and "
        f"regions show {_shown_languages()} by themselves and count every other language together as “Other "
        "languages”; the network shows every language. The list is fixed in the software, not chosen from the counts, "
        "so it tells nobody anything about them. A year published before the list existed keeps every language, so "
        "that a group never changes its members from one release to the next.",
    )

    add("subheader", "What the feedback form stores")
    languages = ", ".join(labels.language(code) for code in LANGUAGES)
    *others, last = (labels.plain(r).lower() for r in store.RESPONDENTS)
    respondents = f"{', '.join(others)} or {last}"
    removed = ", ".join(f"{kind} (replaced by “{scrub.MARKERS[kind]}”)" for kind in scrub.KINDS)
    add(
        "markdown",
        "It stores, for each feedback:\n"
        f"- the text, at most {store.MAX_TEXT:,} characters, after contact details are removed: {removed};\n"
        f"- what it is about: a service line, a hub, or {store.GENERAL};\n"
        f"- a feeling from {min(store.FEELINGS)} to {max(store.FEELINGS)}, or none;\n"
        f"- who the person is, as they choose to say: {respondents};\n"
        f"- the language of the form ({languages});\n"
        "- the week it was sent (for example 2026-W48), and a random id.\n\n"
        "It never stores an IP address, the browser, a cookie, a session, the time of day, or anything that links two "
        "feedbacks to each other or one to a person. Names and contact details people write are removed before the "
        "text is stored, and the removal errs towards removing too much. Feedback is listed by week and random id, "
        "never in the order it arrived. The text of feedback "
        f"closed by the review is erased {store.DEFAULT_RETENTION_DAYS} days after it is closed, with the reviewers' "
        "notes on it.",
    )
    add("markdown", _feedback_stores(store.is_shared(store.deployment_location())))

    add("subheader", "Who sees which page")
    role_names = {role: labels.plain(role) for role in access.ROLES}
    add("markdown", "\n".join(f"- **{role_names[role]}** — {access.ROLE_DESCRIPTIONS[role]}." for role in access.ROLES))
    add_table(
        pd.DataFrame(
            {
                "page": [p.title for p in access.PAGES],
                "visitor": ["yes" if access.may_see(p, set()) else "no" for p in access.PAGES],
                **{role: ["yes" if access.may_see(p, {role}) else "no" for p in access.PAGES] for role in access.ROLES},
            }
        ),
        "Pages and roles",
        "governance-pages",
        labels={"page": "Page", "visitor": "Anyone, without signing in", **role_names},
    )
    add(
        "markdown",
        "This table is read from the same configuration that decides, on the server, whether a page is shown.",
    )

    add("subheader", "A hub's own figures")
    add(
        "markdown",
        "A hub's users hold their own hub's records already, so they see their own hub in full: every count, small ones "
        "included, unsuppressed, marked “your hub's own figures, not published”. At each release the software writes each "
        "hub's own figures to a file of that hub's, kept private beside the warehouse, and opens it only for a user "
        "signed in and limited to that hub, viewing that hub. Nobody else ever sees them: not another hub's users, not "
        "the leaders who see every hub (they see the published, suppressed figures), not the public pages, the report "
        "or a download of any other view, and the app keeps no copy of them shared between users. Every other figure a "
        "hub's user sees, the whole network's included, is the published one.",
    )

    add("subheader", "How to audit a published warehouse")
    add(
        "markdown",
        "Anyone holding a copy of the warehouse can attack it as a skilled reader would: knowing every published "
        "figure, that each is a sum of whole counts of at least 0, and that a suppressed figure is at least 1, the audit "
        "finds the smallest and largest value each suppressed figure could have. It reports any that can be pinned "
        f"down to fewer than {k} possible values, and exits with status 1 if there is one.",
    )
    add("code", "hubdash audit")
    add(
        "markdown",
        "Someone who kept an earlier release knows its figures too. To audit the current release against that "
        "knowledge, name the earlier release file:",
    )
    add("code", "hubdash audit --previous OLD.duckdb")
    add(
        "markdown",
        "**A hub's own staff.** They know their own hub's figures exactly, and in a region of two hubs a published "
        "region figure less their own is the other hub's. Every hidden figure is protected against the staff of each "
        "hub as well as against any reader, and the audit attacks as each of them, from the unsuppressed figures kept "
        "beside the warehouse:",
    )
    add("code", "hubdash audit --insiders")
    add(
        "markdown",
        "**The order rules.** The extract format says no more referrals are completed than reached a first "
        "appointment (and so on); a reader can use that to narrow a hidden count under a published larger one. "
        "Each release is protected against that too, and every audit above uses the order rules, so it also checks "
        "a release published before they were (`--without-order-rules` attacks measure by measure, as those were "
        "protected).",
    )
    add("markdown", "`--warehouse PATH` audits a warehouse file other than the current one.")
    return every


FEEDBACK_STORES = {
    False: "**A DuckDB file** in the server's private data folder, written by one app process. After the text is "
    "erased, the whole file is rewritten, feedback by week and random id, so neither the erased text nor the "
    "order in which feedback arrived is left in it.",
    True: "**A PostgreSQL database** that several app processes share. The same rows and rules: the same erasing, and "
    "every table rewritten after it, feedback by week and random id, so the erased text and the order of "
    "arrival leave the tables' files too. The database server itself still keeps, out of this software's "
    "reach, a log of every row written (its write-ahead log), with the time each feedback was committed, until "
    "that log is recycled; so does any archive, replica or backup of the database for as long as it is kept. "
    "Whoever runs the database must keep those no longer than the retention period.",
}
"""What each kind of feedback store promises, keyed by whether it is the shared one (feedback.store.is_shared)."""


def _feedback_stores(shared: bool) -> str:
    """Which store this server uses, then what each kind keeps: a deployment may move from one to the other."""
    in_use, other = FEEDBACK_STORES[shared], FEEDBACK_STORES[not shared]
    return f"Where feedback is kept:\n- In use here: {in_use}\n- Not in use here: {other}"
