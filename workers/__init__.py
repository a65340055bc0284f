"""The domain of commentgate: models, the store, checks, the pipeline and the jobs (no Flask)."""
