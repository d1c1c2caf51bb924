"""Sources, ingestion as evidence, the pipeline mechanism, and extracted entities."""
