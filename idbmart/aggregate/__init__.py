"""RAA-style aggregates (AG2_*): exact incremental re-aggregation of the intervals a cycle touched.

Not built yet: see the README's roadmap and docs/architecture.md.
"""
