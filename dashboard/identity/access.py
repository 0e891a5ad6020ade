"""Who may see which page: the one table the app enforces and the governance page shows.

`roles` empty means public (no sign-in). The app builds its navigation from this
table for the signed-in user's roles, and every page checks it again on the
server before drawing anything (`ui.require_page`).
"""

from __future__ import annotations

from dataclasses import dataclass

LEADERSHIP = "leadership"
ADVISORY = "advisory"
ADMIN = "admin"
ROLES = (LEADERSHIP, ADVISORY, ADMIN)

ROLE_DESCRIPTIONS = {
    LEADERSHIP: "hub leadership: the full dashboard, possibly limited to some hubs",
    ADVISORY: "survivor advisory group members: feedback review and improvement cycles",
    ADMIN: "both of the above",
}


@dataclass(frozen=True)
class Page:
    path: str
    """The URL path, stable: bookmarks and links rely on it."""
    title: str
    file: str
    """The script in pages/."""
    roles: frozenset[str]
    icon: str = ""

    @property
    def public(self) -> bool:
        return not self.roles


_DASHBOARD = frozenset({LEADERSHIP, ADMIN})
_ADVISORY = frozenset({ADVISORY, ADMIN})
_PUBLIC: frozenset[str] = frozenset()

PAGES = (
    Page("summary", "Public summary", "summary.py", _PUBLIC, ":material/public:"),
    Page("referrals", "Referral gaps", "referrals.py", _DASHBOARD, ":material/route:"),
    Page("language-access", "Language access", "language_access.py", _DASHBOARD, ":material/translate:"),
    Page("funding", "Funding use", "funding.py", _DASHBOARD, ":material/payments:"),
    Page("outcomes", "Outcomes", "outcomes.py", _DASHBOARD, ":material/monitoring:"),
    Page("feedback", "Give feedback", "feedback.py", _PUBLIC, ":material/chat:"),
    Page("review", "Feedback review", "review.py", _ADVISORY, ":material/inbox:"),
    Page("cycles", "Improvement cycles", "cycles.py", _ADVISORY, ":material/autorenew:"),
    Page("you-said-we-did", "You said, we did", "you_said_we_did.py", _PUBLIC, ":material/campaign:"),
    Page("governance", "Data governance", "governance.py", _PUBLIC, ":material/policy:"),
)


def page(path: str) -> Page:
    return next(p for p in PAGES if p.path == path)


def may_see(page: Page, roles: frozenset[str] | set[str]) -> bool:
    return page.public or bool(page.roles & set(roles))


def visible_pages(roles: frozenset[str] | set[str]) -> list[Page]:
    return [p for p in PAGES if may_see(p, roles)]
