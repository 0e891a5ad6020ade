"""Invented feedback and improvement cycles for the seed network, so that /review, /cycles and
/you-said-we-did show on a fresh machine what they are for.

Everything goes through the feedback store's own functions, as the form and the advisory group's pages
do: the form's scrubbing (one text gives a phone number, which is removed before it is stored), its weeks,
the review statuses, themes and cycles with their rules. The feedback spans the seed's last eighteen
months; two of its themes are raised by K or more people, so the public board gives their count. The
cycles take up the seed's planted findings: Hmong interpreter coverage (closed, with what was done),
long waits and mental health completion (both open).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from feedback import cycles, review
from feedback.store import RateLimiter, open_store

LAST_DAY = date(2026, 11, 30)
"""The last day of feedback: the seed's months end with 2026."""

THEMES = {
    "Interpreters at appointments": [
        ("es", "survivor", 2, "medical", "No había intérprete en mi cita y tuve que volver otro día."),
        (
            "en",
            "survivor",
            2,
            "medical",
            "They said an interpreter would come but nobody came. My daughter translated for me.",
        ),
        ("vi", "survivor", 3, "legal", "Luật sư rất tốt nhưng phiên dịch qua điện thoại khó nghe."),
        (
            "en",
            "peer_mentor",
            2,
            "mental_health",
            "The Hmong women I support skip counselling because there is no interpreter.",
        ),
        ("en", "family_member", 3, "housing", "Please have someone who speaks Hmong at the housing office."),
        ("zh", "survivor", 4, "medical", "这次有翻译，医生解释得很清楚。谢谢。"),
        ("en", "staff", 2, "general", "We cancel appointments every week because the interpreter line is busy."),
    ],
    "Waiting for a first appointment": [
        (
            "en",
            "survivor",
            1,
            "housing",
            "I waited six weeks to hear back about housing. Call me on 555-201-7788 please.",
        ),
        ("es", "survivor", 2, "mental_health", "Esperé más de un mes para ver a la consejera."),
        ("en", "peer_mentor", 2, "general", "People give up when nobody calls them in the first weeks."),
        ("en", "survivor", 3, "legal", "The wait was long but the lawyer explained everything when I got there."),
        ("vi", "family_member", 2, "medical", "Chờ quá lâu mới có lịch hẹn đầu tiên."),
        ("en", "staff", 2, "case_management", "Referrals from the hotline sit for weeks before anyone is assigned."),
    ],
    "Travel to the hub": [
        ("en", "survivor", 2, "general", "The bus takes two hours each way from where I live."),
        ("es", "survivor", 3, "medical", "Me ayudaría un pase de autobús para las citas."),
        ("en", "family_member", 3, "general", "Evening hours would help people who cannot miss work."),
    ],
    "Mental health follow-up": [
        ("en", "survivor", 2, "mental_health", "After the first session nobody told me who to call next."),
        ("en", "peer_mentor", 2, "mental_health", "Several people I walk with stopped after one or two sessions."),
        ("zh", "survivor", 3, "mental_health", "希望有固定的咨询师，不要每次换人。"),
    ],
    "Feeling respected": [
        ("en", "survivor", 5, "general", "The staff at the front desk treated me like a person. Thank you."),
        ("es", "survivor", 5, "legal", "Me sentí escuchada por primera vez."),
        ("vi", "survivor", 4, "peer_support", "Chị hướng dẫn viên đồng đẳng giúp tôi rất nhiều."),
    ],
}
"""Per theme, what people wrote: (language, respondent, feeling, about, text)."""

RAISED = {
    "Interpreters at appointments": 14,
    "Waiting for a first appointment": 12,
    "Travel to the hub": 4,
    "Mental health follow-up": 6,
    "Feeling respected": 5,
}
"""How many people raised each theme: the texts above, each sent again by others in other weeks."""

UNREVIEWED = [
    ("en", "survivor", 3, "general", "Is there childcare while I am at my appointment?"),
    ("es", "not_said", None, "general", "¿Pueden enviar recordatorios de las citas por mensaje?"),
    ("en", "survivor", 4, "employment", "The job readiness class was really useful."),
]
"""Sent in the last weeks, not reviewed yet: the review queue's 'new'."""


def write_feedback(location=None) -> bool:
    """Send the seed's feedback and run its review and cycles in the store at `location` (the deployment's by
    default); whether it did: a store that holds any feedback already is left as it is."""
    day = [LAST_DAY]
    sent = sum(RAISED.values()) + len(UNREVIEWED)
    with open_store(location, today=lambda: day[0], rate_limiter=RateLimiter(limit=sent)) as store:
        if len(store.query("SELECT id FROM feedback LIMIT 1")):
            return False

        def send(form, on: date) -> str:
            language, respondent, feeling, about, text = form
            day[0] = on
            return store.submit(
                text=text,
                about=about,
                respondent=respondent,
                language=language,
                feeling=feeling,
                token=uuid.uuid4().hex,
            ).feedback_id

        themed = {}
        for number, (theme, forms) in enumerate(THEMES.items()):
            theme_id = review.add_theme(store, theme)
            ids = [
                send(form, LAST_DAY - timedelta(weeks=75 - 5 * k - number))
                for k, form in zip(range(RAISED[theme]), itertools.cycle(forms))
            ]
            for feedback_id in ids:
                review.set_themes(store, feedback_id, [theme_id])
            themed[theme] = (theme_id, ids)
        for weeks_ago, form in enumerate(UNREVIEWED):
            send(form, LAST_DAY - timedelta(weeks=weeks_ago))

        for feedback_id in themed["Feeling respected"][1][:3]:
            review.set_status(store, feedback_id, "closed")
        interpreters = cycles.open_cycle(
            store,
            title="Book an interpreter with every appointment",
            owner="Language access lead",
            theme_ids=[themed["Interpreters at appointments"][0]],
            start=date(2025, 7, 1),
            target=date(2026, 3, 31),
            measure={"metric": "interpreter_coverage", "language": "hmn"},
            plan="Book the interpreter when the appointment is made, not on the day; a second Hmong agency.",
        )
        cycles.record_notes(
            store,
            interpreters,
            do="Booking moved to the referral call from August.",
            study="Coverage for Hmong speakers, quarter by quarter, against the quarter before.",
        )
        day[0] = date(2026, 4, 6)
        cycles.close_cycle(
            store,
            interpreters,
            outcome="More Hmong-speaking survivors had an interpreter",
            act="Interpreters are booked with the appointment at every hub.",
        )
        cycles.open_cycle(
            store,
            title="Call every new referral within a week",
            owner="Intake coordinator",
            theme_ids=[themed["Waiting for a first appointment"][0]],
            start=date(2026, 2, 2),
            target=date(2026, 12, 31),
            measure={"metric": "waited_over_30_days_share"},
            plan="A call within five working days of each referral, with a date for the first appointment.",
        )
        cycles.open_cycle(
            store,
            title="A named contact after the first counselling session",
            owner="Mental health lead",
            theme_ids=[themed["Mental health follow-up"][0]],
            start=date(2026, 5, 4),
            target=date(2027, 3, 31),
            measure={"metric": "completion_rate", "service_line": "mental_health"},
        )
    return True
