"""HA choice: for each HA pair, which IDB serves each entity (interaction, login session, campaign
session, chain), judged by ICON's data-source-session coverage; every choice goes to CTL_HA_DECISION.

Not built yet: see the README's roadmap and docs/architecture.md.
"""
