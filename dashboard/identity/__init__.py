"""Who is viewing: the page/role table (access.py), the users file (users.py), sessions (sessions.py)
and signing in (auth.py)."""
