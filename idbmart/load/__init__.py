"""Loading into the DuckDB mart: one transaction per cycle, deterministic keys, audit keys.

Not built yet: see the README's roadmap and docs/architecture.md.
"""
