-- model: interaction_entities
-- layer: scope
-- runs: slice+all
-- target: _T_IXN_ENTITY
--
-- The entities (IRs) that make each interaction of the slice: its root's, and those of the
-- consultations ICON gave an IR of their own, whose root call consulted from one of its calls
-- (GIMPopIRF: one INTERACTION_FACT per root; their parties are the interaction's resources). Their
-- GIDB rows are read by ENTITY_KEY; ROOT is the interaction they belong to.
SELECT ROOT AS ENTITY_KEY, ROOT FROM _T_IXN
UNION
SELECT c.ENTITY_KEY, min(m.ENTITY_KEY) AS ROOT
FROM GIDB_G_CALL AS m JOIN GIDB_G_CALL AS c ON c.PARENTCALLID = m.CALLID
WHERE m.ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND in_ixn_time(m.CREATED_TS, $ixn_from) AND in_ixn_time(c.CREATED_TS, $ixn_from)
  AND c.CALLTYPE = CallType.CONSULT AND c.CALLID = c.ENTITY_KEY AND c.ENTITY_KEY <> m.ENTITY_KEY
GROUP BY c.ENTITY_KEY
