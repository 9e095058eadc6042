"""Runnable demos, one per example of the seeds: python -m demos.NAME --out DIR."""
