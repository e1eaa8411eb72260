"""Benchmarks, kept apart from the tests: `python -m bench` runs them all.

Each also runs alone as `python -m bench.<name>`; see `bench/__main__.py` for the list.
"""
