"""Sources, ingestion as evidence, the pipeline mechanism (ads/pipeline.py: the stage order) and
the first stages: extract (`stages`) and media. Everything later reads what this app wrote."""
