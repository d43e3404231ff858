"""Quality gates: the Great Expectations suites of expectations/, run on every load.

Not built yet: see the README's roadmap and docs/architecture.md.
"""
