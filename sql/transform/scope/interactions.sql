-- model: interactions
-- layer: scope
-- target: _T_IXN_SCOPE
--
-- Interactions whose facts this cycle rebuilds (root CALLIDs): those the HA choice republished, those
-- a virtual-queue stay or a gud-only IDB's user data of theirs arrived for, and those with a party a
-- republished login session may decide the agent or after-call work of (late agent data). An IR that
-- continues another's interaction (ixn_parents: a consultation ICON gave an IR of its own, a call that
-- came in from another site) is a part of that interaction, up to its first IR (GIMPopIRF: one
-- INTERACTION_FACT per root): that interaction is rebuilt, once the IR it continues is loaded.
WITH RECURSIVE entity AS MATERIALIZED (
SELECT ENTITY_KEY AS ROOT FROM _HA_NEW WHERE ENTITY_KIND = 'interaction'
UNION
SELECT c.ENTITY_KEY FROM _HA_NEW AS n JOIN GIDB_G_CALL AS c ON c.CALLID = split_part(n.ENTITY_KEY, '|', 1)
WHERE n.ENTITY_KIND = 'vq_stay'
UNION
SELECT c.ENTITY_KEY FROM _HA_NEW AS n JOIN GIDB_G_CALL AS c ON c.CALLID = n.ENTITY_KEY
WHERE n.ENTITY_KIND = 'call_userdata'
UNION
SELECT p.ENTITY_KEY FROM _T_SESSION AS s JOIN GIDB_G_PARTY AS p
  ON p.SWITCHID = s.SWITCHID AND p.ENDPOINTDN = s.DN
 AND p.CREATED_TS <= s.END_TS + $tol AND p.TERMINATED_TS >= s.START_TS - $tol
UNION
SELECT p.ENTITY_KEY FROM _T_SESSION AS s JOIN GIDB_G_PARTY AS p
  ON p.AGENTID = s.AGENTID
 AND p.CREATED_TS <= s.END_TS + $tol AND p.TERMINATED_TS >= s.START_TS - $tol
),
parent AS MATERIALIZED (
  SELECT * FROM ixn_parents(
    (SELECT min(CREATED_TS) FROM GIDB_G_CALL WHERE ENTITY_KEY IN (SELECT ROOT FROM entity)) - $stuck_s)
),
up(ENTITY_KEY, ROOT, DEPTH) AS (  -- each entity's chain of parents, up to the interaction's first IR
  SELECT ROOT, ROOT, 0 FROM entity
  UNION ALL
  SELECT u.ENTITY_KEY, p.PARENT, u.DEPTH + 1 FROM up AS u JOIN parent AS p ON p.CHILD = u.ROOT WHERE u.DEPTH < 32
)
SELECT DISTINCT ROOT, idb_key(ROOT) AS INTERACTION_ID
FROM (SELECT ENTITY_KEY, arg_max(ROOT, DEPTH) AS ROOT FROM up GROUP BY ENTITY_KEY)
