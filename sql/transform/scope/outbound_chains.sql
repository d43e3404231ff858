-- model: outbound_chains
-- layer: scope
-- target: _T_CHAIN
--
-- Chains whose contact attempts this cycle rebuilds (CHAINGUID): those the HA choice republished;
-- those of a republished campaign session (its dialing mode and OCS arrive with it, after the
-- chains it dialled); and those linked to a call of an interaction in scope, through GOX_CHAIN_CALL or
-- the call attempt GUID in the call's user data (the call may be loaded after its chain).
WITH ixn_call AS (
  SELECT c.CALLID, c.CREATED_TS FROM GIDB_G_CALL AS c JOIN _T_IXN AS i ON c.ENTITY_KEY = i.ROOT
  WHERE in_ixn_time(c.CREATED_TS, $ixn_from) OR NOT plausible_ts(c.CREATED_TS)  -- not every day GIDB keeps
)
SELECT ENTITY_KEY AS CHAINGUID FROM _HA_NEW WHERE ENTITY_KIND = 'chain'
UNION
SELECT ch.CHAINGUID FROM GIDB_GO_CHAIN AS ch
JOIN _HA_NEW AS n ON n.ENTITY_KIND = 'campaign_session' AND n.ENTITY_KEY = ch.SESSID
UNION
SELECT x.CHAINGUID FROM GIDB_GOX_CHAIN_CALL AS x JOIN ixn_call USING (CALLID)
UNION
SELECT h.CHAINGUID FROM GIDB_G_USERDATA_HISTORY AS u JOIN ixn_call USING (CALLID)
JOIN GIDB_GO_CHAINREC_HIST AS h ON h.CALLATTID = u.VALUE
WHERE u.KEYNAME = $attempt_guid_key
  -- user data is added while its call goes on: from the cycle's first call on (user_data_changes.sql)
  AND (in_ixn_time(u.ADDED_TS, $ixn_from) OR NOT plausible_ts(u.ADDED_TS))
