-- model: interaction_entities
-- layer: scope
-- runs: slice+all
-- target: _T_IXN_ENTITY
--
-- The entities (IRs) that make each interaction of the slice: its root's, and every IR that continues
-- it (ixn_parents: consultations ICON gave an IR of their own, calls that came in from another site,
-- and theirs in turn); their parties are the interaction's resources (GIMPopIRF: one INTERACTION_FACT
-- per root). Their GIDB rows are read by ENTITY_KEY; ROOT is the interaction they belong to.
WITH RECURSIVE parent AS MATERIALIZED (SELECT * FROM ixn_parents($ixn_from)),
down(ENTITY_KEY, ROOT, DEPTH) AS (
  SELECT ROOT, ROOT, 0 FROM _T_IXN
  UNION ALL
  SELECT p.CHILD, d.ROOT, d.DEPTH + 1 FROM down AS d JOIN parent AS p ON p.PARENT = d.ENTITY_KEY WHERE d.DEPTH < 32
)
SELECT ENTITY_KEY, min(ROOT) AS ROOT FROM down GROUP BY ENTITY_KEY
