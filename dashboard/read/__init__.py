"""Figures for a viewer: the published release through the questions in queries/, for what the viewer may
see (data.py), and what is made of them: metrics, baselines, findings, spending, labels."""
