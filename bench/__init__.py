"""Benchmarks for the extract and match stages; run each as `python -m bench.<name>`."""
