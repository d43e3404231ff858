-- Interactions whose facts this cycle rebuilds (root CALLIDs): those the HA choice republished, those
-- a virtual-queue stay or a gud-only IDB's user data of theirs arrived for, and those with a party a
-- republished login session may decide the agent or after-call work of (late agent data).
SELECT ROOT, idb_key(ROOT) AS INTERACTION_ID FROM (
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
 AND p.CREATED_TS <= s.END_TS + getvariable('tol') AND p.TERMINATED_TS >= s.START_TS - getvariable('tol')
UNION
SELECT p.ENTITY_KEY FROM _T_SESSION AS s JOIN GIDB_G_PARTY AS p
  ON p.AGENTID = s.AGENTID
 AND p.CREATED_TS <= s.END_TS + getvariable('tol') AND p.TERMINATED_TS >= s.START_TS - getvariable('tol')
)
