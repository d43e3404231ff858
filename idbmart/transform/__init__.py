"""Transformation of GIDB rows into the Info Mart star schema: dimensions (RESOURCE_ and the rest,
SIP Cluster DNs on the fly), agent recovery for cluster parties, facts.

Not built yet: see the README's roadmap and docs/architecture.md.
"""
