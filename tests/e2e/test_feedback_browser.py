"""Giving feedback in a real browser: what reaches the disk, the quick exit, and accessibility."""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import screenshot, sign_in, wait_for_app
from playwright.sync_api import expect

from dashboard.web.feedback_ui import DEFAULT_EXIT_URL

EMAIL = "maria.lopez@example.com"
PHONE = "+34 612 345 678"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def open_form(page, app_url: str, language: str | None = None) -> None:
    page.goto(f"{app_url}/feedback")
    wait_for_app(page)
    if language:
        page.get_by_text(language, exact=True).click()
        wait_for_app(page)


def every_file(folder):
    return [path for path in folder.rglob("*") if path.is_file()]


def test_feedback_in_spanish_reaches_the_queue_scrubbed_and_its_contact_details_reach_no_file(page, app_url, app_home):
    marker = uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))  # no digits: nothing to scrub
    page.set_viewport_size({"width": 1280, "height": 1500})
    open_form(page, app_url, "Español")
    screenshot(page, "feedback-form-desktop")

    page.get_by_role("textbox", name="Su opinión").fill(
        f"La intérprete no vino. Escríbanme a {EMAIL} o llamen al {PHONE}. {marker}"
    )
    page.get_by_role("button", name="Ver lo que se guardará").click()
    wait_for_app(page)
    scrubbed = f"La intérprete no vino. Escríbanme a [email removed] o llamen al [phone removed]. {marker}"
    expect(page.get_by_test_id("stText").filter(has_text=marker)).to_have_text(scrubbed)
    expect(
        page.get_by_text("Antes de guardar sus palabras, quitamos: un correo electrónico, un número de teléfono")
    ).to_be_visible()
    screenshot(page, "feedback-preview")

    page.get_by_role("button", name="Enviar opinión").dblclick()
    wait_for_app(page)
    expect(page.get_by_text("Gracias", exact=True)).to_be_visible()
    user_agent = page.evaluate("navigator.userAgent")
    contacted_while_giving_feedback = set(page.hosts_contacted)

    sign_in(page, app_url, "advisor", "advisor-demo", path="review")
    page.get_by_role("combobox", name="Language").click()
    page.get_by_role("option", name="Spanish", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Queue: 1 feedback")).to_be_visible()  # the double click stored one
    expect(page.get_by_test_id("stText").filter(has_text=marker)).to_have_text(scrubbed)
    screenshot(page, "feedback-queue")

    files = {path: path.read_bytes() for path in every_file(app_home)}
    assert any(marker.encode() in content for content in files.values()), "the search must see stored text"
    for secret in (EMAIL, "maria.lopez", PHONE, "612 345 678", "612345678", user_agent):
        leaked = [str(path) for path, content in files.items() if secret.encode() in content]
        assert not leaked, f"{secret!r} is in {leaked}"
    others = contacted_while_giving_feedback - {urlparse(app_url).netloc}
    assert not others, f"giving feedback made the browser contact {others}, telling them who visits the form"


def test_the_form_on_a_phone(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        open_form(page, app_url, "Tiếng Việt")
        expect(page.get_by_role("link", name="Thoát khỏi trang này")).to_be_in_viewport()
        screenshot(page, "feedback-form-phone")
    finally:
        context.close()


@pytest.fixture
def neutral_site(page):
    """The exit site, answered locally: the requests the browser made for it."""
    requests = []

    def answer(route):
        requests.append(route.request)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Weather")

    page.route(f"{DEFAULT_EXIT_URL}**", answer)
    return requests


def leaves_for_good(page, app_url: str, neutral_site: list) -> None:
    """The tab is on the neutral site, told nothing of where it came from, and Back skips the form."""
    page.wait_for_url(DEFAULT_EXIT_URL)
    assert [request.url for request in neutral_site] == [DEFAULT_EXIT_URL]
    assert "referer" not in neutral_site[0].all_headers()
    page.go_back()
    assert page.url == f"{app_url}/you-said-we-did"


def writing_feedback_after_the_board(page, app_url: str) -> None:
    """The board first, so that Back has somewhere to return to; then the form, half written."""
    page.goto(f"{app_url}/you-said-we-did")
    wait_for_app(page)
    open_form(page, app_url)
    page.get_by_role("textbox", name="Your feedback").fill("Something private.")


def test_the_exit_button_leaves_at_once_and_back_does_not_return_to_the_form(page, app_url, neutral_site):
    writing_feedback_after_the_board(page, app_url)

    page.get_by_role("link", name="Exit this page").click()

    leaves_for_good(page, app_url, neutral_site)


def test_the_exit_button_leaves_from_the_keyboard_too(page, app_url, neutral_site):
    writing_feedback_after_the_board(page, app_url)

    page.get_by_role("link", name="Exit this page").focus()
    page.keyboard.press("Enter")

    leaves_for_good(page, app_url, neutral_site)


def test_pressing_shift_three_times_leaves_but_typing_capitals_does_not(page, app_url, neutral_site):
    page.goto(f"{app_url}/you-said-we-did")
    wait_for_app(page)
    open_form(page, app_url)
    page.get_by_role("textbox", name="Your feedback").click()

    for letter in "ABC":
        page.keyboard.press(f"Shift+{letter}")
    page.wait_for_timeout(300)
    assert page.url == f"{app_url}/feedback" and not neutral_site

    for _ in range(3):
        page.keyboard.press("Shift")

    leaves_for_good(page, app_url, neutral_site)


def streamlit_and_ours(violations: list[dict]) -> tuple[list[str], list[str]]:
    """Split axe's findings: nodes in the app's own markup (the quick exit) or about the page's
    language are ours; anything else is in markup Streamlit draws around our words."""
    ours, streamlit = [], []
    for violation in violations:
        for node in violation["nodes"]:
            finding = f"{violation['id']}: {violation['help']} at {node['target']}: {node['html'][:120]}"
            mine = "hubdash" in node["html"] or any("hubdash" in str(t) for t in node["target"])
            (
                ours if mine or violation["id"] in ("html-has-lang", "html-lang-valid", "valid-lang") else streamlit
            ).append(finding)
    return ours, streamlit


@pytest.mark.parametrize("language", ["English", "Español", "Tiếng Việt", "中文（简体）"])
def test_the_form_and_its_preview_meet_wcag_21_aa(page, app_url, language):
    axe = Axe()
    open_form(page, app_url, None if language == "English" else language)
    findings = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}}).response["violations"]
    page.get_by_role("textbox").fill("The interpreter did not come.")
    page.locator("[data-testid=stBaseButton-primary]").click()
    wait_for_app(page)
    findings += axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}}).response["violations"]

    ours, streamlit = streamlit_and_ours(findings)

    print("\n".join(["Caused by Streamlit's own markup:", *streamlit]))
    assert not ours
