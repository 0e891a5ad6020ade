"""The Streamlit app and what serves it: app.py (the entry script), server.py (`hubdash run`), the parts the
pages in pages/ share (ui.py, feedback_ui.py), the public summary, its PDF and its static site (publish.py,
site/), the governance page, the first start and `hubdash doctor`."""
