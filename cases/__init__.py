"""The desk, last in the pipeline: the queue stage (`stages`), triage, cases and watchlists with
their alerts (`services/`), the desk's pages (`views/`) and its API (`api`)."""
