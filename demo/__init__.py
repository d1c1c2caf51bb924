"""Synthetic data for demos, tests and benchmarks: the ad generator (`synthetic`) and the seed
corpus the first risk model trains on (`seed/`, with its deterministic generator)."""
