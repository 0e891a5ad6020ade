"""Names from an extract are shown as written, never read as Markdown.

A region named `Coastal ![r](http://127.0.0.1:9/region.png)` once made every visitor's browser fetch that
URL. The extract reader now refuses such names; these tests put them straight into a published warehouse,
as a release from before that check (or any other way in) could hold them, and read every piece of text
on the public summary and the four leadership pages that Streamlit renders as Markdown.
"""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from apptest import app, open_page, sign_in

REGION = "Coastal ![r](http://127.0.0.1:9/region.png) **loud** <b>x</b> $x^2$ :red[red]"
HUB = "Pelican _hub_ [site](http://127.0.0.1:9/) `code` ~~gone~~ # 1."
PAGES = {"referrals": "referrals", "language-access": "language", "funding": "funding", "outcomes": "outcomes"}
"""Each leadership page and the key prefix of its filters."""


@pytest.fixture
def hostile(home, seed_release):
    """The seed release with one hub and one region renamed; returns the hub's id."""
    copy = home / "warehouse.duckdb.releases" / "0001.duckdb"
    copy.parent.mkdir()
    shutil.copy(seed_release, copy)
    (home / "warehouse.duckdb").symlink_to(copy)
    with duckdb.connect(str(copy)) as con:
        hub, region = con.execute("SELECT hub, region FROM hubs ORDER BY hub LIMIT 1").fetchone()
        con.execute("UPDATE hubs SET name = ? WHERE hub = ?", [HUB, hub])
        con.execute("UPDATE hubs SET region = ? WHERE region = ?", [REGION, region])
        con.execute("UPDATE cells SET geo = ? WHERE geo_level = 'region' AND geo = ?", [REGION, region])
    return hub


def markdown_texts(at) -> list[str]:
    """Every text on the page that Streamlit renders as Markdown (option lists of select boxes are plain)."""
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        texts += [element.value for element in at.get(kind)]
    texts += [metric.label for metric in at.metric]
    texts += [expander.label for expander in at.expander]
    texts += [button.proto.label for button in at.get("download_button")]
    for radio in at.radio:
        texts += [radio.label, *map(str, radio.options)]
    return texts


def as_read(markdown: str) -> str:
    """What a reader sees of Markdown text that holds no markup: backslash escapes removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def assert_shown_as_written(at, name: str, token: str) -> None:
    mentions = [text for text in markdown_texts(at) if token in text]
    assert mentions, f"nothing on the page names {token}"
    for text in mentions:
        assert name in as_read(text) and name not in text, f"read as Markdown: {text!r}"


def test_the_public_summary_shows_a_region_name_as_written(hostile):
    at = app()
    at.selectbox(key="summary-where").set_value(("region", REGION)).run()

    assert not at.exception
    assert_shown_as_written(at, REGION, "Coastal")


@pytest.mark.parametrize("page", PAGES)
def test_a_leadership_page_shows_hub_and_region_names_as_written(hostile, page):
    at = sign_in(open_page(app(), page), "leader", "leader-demo")
    assert not at.exception

    at.selectbox(key=f"{PAGES[page]}-geo").set_value(("region", REGION)).run()
    assert_shown_as_written(at, REGION, "Coastal")
    at.selectbox(key=f"{PAGES[page]}-geo").set_value(("hub", hostile)).run()
    assert_shown_as_written(at, HUB, "Pelican")
    assert not at.exception
    at.selectbox(key=f"{PAGES[page]}-level").select("month").run()  # outcomes: a message naming the hub
    assert_shown_as_written(at, HUB, "Pelican")
    assert not at.exception
