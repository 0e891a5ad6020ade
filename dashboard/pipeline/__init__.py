"""The write path, run by `hubdash ingest`: extract → cube → protection → warehouse.

extract.py reads and validates an agency extract, cube.py adds it up into every published view,
ingest.py hands the cube to disclosure control (dashboard.protection) and writes what comes out
with warehouse.py, which also opens a release read-only for the read side.
"""
