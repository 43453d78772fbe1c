"""AI content analysis of episode transcripts: providers, transcripts, content analysis and ad reads.

Framework-free like the rest of the core: the Dagster assets (pipelines/defs/ai) and the read API
(api/routers/ai.py) call into it.
"""
