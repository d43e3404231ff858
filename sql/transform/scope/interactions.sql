-- model: interactions
-- layer: scope
-- target: _T_IXN_SCOPE
--
-- Interactions whose facts this cycle rebuilds (root CALLIDs): those the HA choice republished, those
-- a virtual-queue stay or a gud-only IDB's user data of theirs arrived for, and those with a party a
-- republished login session may decide the agent or after-call work of (late agent data). A
-- consultation ICON gave an IR of its own is a part of its main call's interaction (GIMPopIRF: one
-- INTERACTION_FACT per root): that interaction is rebuilt, once its main call is loaded.
WITH entity AS MATERIALIZED (
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
main AS (  -- a consultation's own IR → the interaction of the call it consulted from
  SELECT c.ENTITY_KEY, min(m.ENTITY_KEY) AS ROOT
  FROM GIDB_G_CALL AS c JOIN GIDB_G_CALL AS m ON m.CALLID = c.PARENTCALLID
  WHERE c.ENTITY_KEY IN (SELECT ROOT FROM entity) AND c.CALLID = c.ENTITY_KEY AND c.CALLTYPE = CallType.CONSULT
    AND m.ENTITY_KEY <> c.ENTITY_KEY
    AND m.CREATED_TS >= (SELECT min(CREATED_TS) FROM GIDB_G_CALL WHERE ENTITY_KEY IN (SELECT ROOT FROM entity))
                        - $stuck_s
  GROUP BY c.ENTITY_KEY
)
SELECT DISTINCT coalesce(m.ROOT, e.ROOT) AS ROOT, idb_key(coalesce(m.ROOT, e.ROOT)) AS INTERACTION_ID
FROM entity AS e LEFT JOIN main AS m ON m.ENTITY_KEY = e.ROOT
