"""Disclosure control: what may be published, and the attacker that checks it.

The one entry point is `disclosure.protect`, which hides cells until `audit.intervals`, the attacker who
knows everything published, can narrow none of them. `release.Release` is what it hands back and the
warehouse stores; `ranges.implied_ranges` gives each hidden figure's range as that attacker sees it.
It knows nothing of where figures come from or who reads them (the import-linter contracts in
pyproject.toml hold it to that). Nothing is imported here, so that the app, which reads releases,
never loads the solver.
"""
