"""What the scrubber takes out of feedback text, and what it must leave for reviewers to read."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.scrub import MARKERS, scrub

MUST_REMOVE = [
    # (text, the detail that must disappear, the kind reported)
    ("call me on +44 20 7946 0958 please", "7946 0958", "phone"),
    ("my number is +1 (555) 123-4567.", "123-4567", "phone"),
    ("text 555.123.4567 anytime", "555.123.4567", "phone"),
    ("số điện thoại 0912 345 678", "0912 345 678", "phone"),
    ("gọi +84 91 234 56 78", "234 56 78", "phone"),
    ("llámame al +52 55 1234 5678", "1234 5678", "phone"),
    ("mi móvil 612 345 678", "612 345 678", "phone"),
    ("我的电话是138 0013 8000", "0013 8000", "phone"),
    ("call 020 7946 0958 after 5", "7946 0958", "phone"),
    ("my cell is 0917 123 4567", "123 4567", "phone"),
    ("ring 555-1234", "555-1234", "phone"),
    ("write to maria.lopez@example.org", "maria.lopez", "email"),
    ("maria @ gmail.com", "maria", "email"),
    ("escríbeme a José@correo.es", "José", "email"),
    ("reach me: name at domain dot org", "domain", "email"),
    ("x [at] y [dot] com", "[at]", "email"),
    ("maria (at) gmail (dot) com", "gmail", "email"),
    ("ana arroba correo punto es", "ana", "email"),
    ("see https://example.org/path?q=1", "example.org", "link"),
    ("my page www.x.org has it", "www.x.org", "link"),
    ("bit.ly/abc", "bit.ly", "link"),
    ("go to facebook.com/maria.lopez", "maria.lopez", "link"),
    ("I live at 123 Main Street", "Main Street", "address"),
    ("at 123 main st.", "main st", "address"),
    ("vivo en 45 Calle de Alcalá", "Alcalá", "address"),
    ("Calle de Alcalá 45, Madrid", "Alcalá", "address"),
    ("Av. Reforma 222", "Reforma", "address"),
    ("Apt 4B, the one with the red door", "4B", "address"),
    ("số 12 đường Lê Lợi", "Lê Lợi", "address"),
    ("我住在朝阳区建国路88号", "建国路88号", "address"),
    ("my name is Maria Lopez and I waited", "Lopez", "name"),
    ("My name is maria lopez", "lopez", "name"),
    ("I am called Bob", "Bob", "name"),
    ("me llamo Ana", "Ana", "name"),
    ("mi nombre es José García y esperé", "García", "name"),
    ("tôi tên là Nguyễn Văn An", "Nguyễn", "name"),
    ("我叫王小明。", "王小明", "name"),
]

MUST_KEEP = [
    "my appointment was on 12/03/2024",
    "they called on March 3",
    "I waited 3 weeks for a first appointment",
    "2 of my 3 kids came with me",
    "50 mg twice a day",
    "the interpreter came at 10:30",
    "the appointment was 2024-03-12 10:30",
    "it was 12.03.2024",
    "I was seen in Room 12",
    "since 2019-2024 nothing changed",
    "in 2024 it got better",
    "I am 45 years old",
    "I slept 3 weeks on the street",
    "vivo en la calle con mis 2 hijos",
    "2 nurses and Dr Lee were kind",
    "it cost 1,500 dollars, e.g. the bus",
    "I was at home. Dot was there",
    "我叫了医生",
    "",
]


@pytest.mark.parametrize(("text", "detail", "kind"), MUST_REMOVE)
def test_contact_details_are_replaced_by_a_marker(text, detail, kind):
    result = scrub(text)
    assert detail not in result.text
    assert MARKERS[kind] in result.text
    assert result.removed == (kind,)


@pytest.mark.parametrize("text", MUST_KEEP)
def test_what_is_not_contact_is_left_alone(text):
    assert scrub(text).text == text
    assert scrub(text).removed == ()


def test_the_words_around_a_removed_detail_stay():
    result = scrub("The nurse was rude. Call me at 0912 345 678 or write maria@example.org. Thanks")
    assert result.text == "The nurse was rude. Call me at [phone removed] or write [email removed]. Thanks"
    assert result.removed == ("email", "phone")


def test_text_written_without_spaces_keeps_the_words_around_a_detail():
    assert scrub("我的邮箱是maria@gmail.com谢谢").text == "我的邮箱是[email removed]谢谢"
    assert scrub("请看example.org网站").text == "请看[link removed]网站"


def test_several_kinds_are_reported_once_each_in_a_fixed_order():
    result = scrub("my name is Ana, 555-1234, 555-9876, a@b.org")
    assert result.removed == ("email", "phone", "name")


def test_hostile_text_that_is_not_contact_passes_through_unchanged():
    hostile = "<script>alert(1)</script> '; DROP TABLE feedback; -- =HYPERLINK(\"x\")"
    assert scrub(hostile).text == hostile


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scrubbing_never_raises_and_scrubbing_again_changes_nothing(text):
    once = scrub(text)
    assert scrub(once.text).text == once.text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*(t for t, _, _ in MUST_REMOVE), " ", ". ", "at", " dot ", "123 ", "+", "-", "@", "Main St", "我叫", "\n"]
        )
        | st.text(max_size=5),
        max_size=8,
    )
)
def test_scrubbing_is_idempotent_on_text_full_of_contact_details(parts):
    once = scrub("".join(parts)).text
    assert scrub(once).text == once
