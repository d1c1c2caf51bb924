"""Writes of the desk, by sub-domain: triage (claiming, deciding), cases, watchlists (+ alerts).

The queue stage, which writes queue items from the pipeline, is cases/stages.py.
"""
