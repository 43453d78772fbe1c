"""The read API (FastAPI): imports `earmark`, never `pipelines`."""
