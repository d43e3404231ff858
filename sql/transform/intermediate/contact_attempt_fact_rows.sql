-- model: contact_attempt_fact_rows
-- layer: intermediate
-- target: _T_CAF
--
-- CONTACT_ATTEMPT_FACT rows of the chains in scope (_T_CHAIN): one per dial attempt, i.e. per call
-- attempt GUID (CALLATTID) the chain's record history carries, from PROCESSING to PROCESSED. The call
-- it produced: GOX_CHAIN_CALL first; where OCS wrote no link (preview, push-preview, power-GVP
-- modes), the call whose user data carries the GUID (GSW_CALL_ATTEMPT_GUID).
WITH attempt AS (
  SELECT h.CHAINGUID, h.CALLATTID, any_value(h.SOURCE_NAME) AS SOURCE_NAME,
         arg_min(h.RECORDHANDLE, h.ADDED_TS) AS RECORDHANDLE,
         coalesce(min(h.ADDED_TS) FILTER (h.STATE = ChainState.PROCESSING), min(h.ADDED_TS)) AS START_TS,
         coalesce(max(h.ADDED_TS) FILTER (h.STATE = ChainState.PROCESSED), max(h.ADDED_TS)) AS END_TS,
         arg_max(h.CALLRESULT, h.ADDED_TS) FILTER (h.CALLRESULT IS NOT NULL) AS CALLRESULT
  FROM GIDB_GO_CHAINREC_HIST AS h JOIN _T_CHAIN USING (CHAINGUID)
  WHERE h.CALLATTID IS NOT NULL
  GROUP BY ALL
),
chain_call AS (
  SELECT x.CHAINGUID, x.CALLATTID, min(x.CALLID) AS CALLID
  FROM GIDB_GOX_CHAIN_CALL AS x JOIN _T_CHAIN USING (CHAINGUID)
  GROUP BY ALL
),
user_data_call AS (
  -- User data is attached when the call is made, within the attempt. Here and below, time bounds let
  -- DuckDB skip the row groups of other days (GIDB keeps gidb_days of them).
  SELECT u.VALUE AS CALLATTID, min(u.CALLID) AS CALLID
  FROM GIDB_G_USERDATA_HISTORY AS u
  WHERE u.KEYNAME = $attempt_guid_key
    AND u.ADDED_TS BETWEEN bound_from((SELECT min(START_TS) FROM attempt) - $max_call_s)
                       AND bound_to((SELECT max(END_TS) FROM attempt) + $max_call_s)
    AND u.VALUE IN (SELECT CALLATTID FROM attempt)
  GROUP BY ALL
),
linked AS (
  SELECT a.*, coalesce(cc.CALLID, ud.CALLID) AS CALLID,
         CASE WHEN cc.CALLID IS NOT NULL THEN 'CHAIN_CALL' WHEN ud.CALLID IS NOT NULL THEN 'USER_DATA' END AS LINK_PATH
  FROM attempt AS a
  LEFT JOIN chain_call AS cc USING (CHAINGUID, CALLATTID)
  LEFT JOIN user_data_call AS ud ON ud.CALLATTID = a.CALLATTID
),
call_ixn AS (
  SELECT c.CALLID, any_value(c.ENTITY_KEY) AS ROOT, min(c.CREATED_TS) AS CREATED_TS,
         max(c.TERMINATED_TS) FILTER (c.TERMINATED_TS < $sentinel) AS TERMINATED_TS
  FROM GIDB_G_CALL AS c WHERE c.CALLID IN (SELECT CALLID FROM linked)
    AND c.CREATED_TS BETWEEN bound_from((SELECT min(START_TS) FROM attempt) - $max_call_s)
                         AND bound_to((SELECT max(END_TS) FROM attempt) + $max_call_s)
  GROUP BY ALL
),
customer_party AS MATERIALIZED (  -- read first: left to itself DuckDB joined all of them to their history
  -- Bounded in time like the calls: a party is created with or after its call (call_ixn keeps only
  -- calls created in the window) and before it answers (which counts only in the window). Parties
  -- with no creation time are read apart: OR-ed with the bound, they kept DuckDB from skipping the
  -- row groups of other days (every G_PARTY row GIDB keeps was read).
  SELECT HA_SET, ENTITY_KEY, PARTYID, CALLID FROM GIDB_G_PARTY
  WHERE CALLID IN (SELECT CALLID FROM linked) AND TYPE = PartyType.EXTERNAL
    AND CREATED_TS BETWEEN bound_from((SELECT min(START_TS) FROM attempt) - $max_call_s)
                       AND bound_to((SELECT max(END_TS) FROM attempt) + $max_call_s)
  UNION ALL
  SELECT HA_SET, ENTITY_KEY, PARTYID, CALLID FROM GIDB_G_PARTY
  WHERE CALLID IN (SELECT CALLID FROM linked) AND TYPE = PartyType.EXTERNAL AND CREATED_TS IS NULL
),
answered AS (
  -- When the customer (the external party) answered, on the call's own clock like its creation, so
  -- a node's clock skew does not enter the dialling time. Bounded in time like the user data.
  SELECT p.CALLID, min(h.ADDED_TS) AS ANSWERED_TS
  FROM customer_party AS p
  JOIN GIDB_G_PARTY_HISTORY AS h ON h.HA_SET = p.HA_SET AND h.ENTITY_KEY = p.ENTITY_KEY AND h.PARTYID = p.PARTYID
  WHERE h.STATE = PartyState.CONNECTED
    AND h.ADDED_TS BETWEEN bound_from((SELECT min(START_TS) FROM attempt) - $max_call_s)
                       AND bound_to((SELECT max(END_TS) FROM attempt) + $max_call_s)
  GROUP BY ALL
),
chain AS (  -- one version per chain, should two IDBs outside an HA pair hold it
  SELECT ch.* FROM GIDB_GO_CHAIN AS ch JOIN _T_CHAIN USING (CHAINGUID)
  QUALIFY row_number() OVER (PARTITION BY ch.CHAINGUID ORDER BY ch.TERMINATED_TS DESC NULLS LAST, ch.SOURCE_NAME) = 1
),
session AS (
  SELECT cs.* FROM GIDB_GO_CAMPAIGN AS cs WHERE cs.SESSID IN (SELECT SESSID FROM chain)
  QUALIFY row_number() OVER (PARTITION BY cs.SESSID ORDER BY cs.TERMINATED_TS DESC NULLS LAST, cs.SOURCE_NAME) = 1
),
mode_change AS (  -- the campaign's dialing mode changes (GO_CAMPPROP_HIST, where ICON keeps it)
  SELECT DISTINCT SESSID, ADDED_TS, DIALMODE FROM GIDB_GO_CAMPPROP_HIST
  WHERE DIALMODE IS NOT NULL AND SESSID IN (SELECT SESSID FROM chain)
),
agent_irf AS (
  -- The IRF the attempt led to: the first agent party of its call.
  SELECT MEDIA_SERVER_IXN_GUID AS CALLID, arg_min(INTERACTION_RESOURCE_ID, INTERACTION_RESOURCE_ORDINAL) AS IRF_ID,
         arg_min(CUSTOMER_TALK_DURATION, INTERACTION_RESOURCE_ORDINAL) AS ENGAGE_DURATION,
         arg_min(RESOURCE_KEY, INTERACTION_RESOURCE_ORDINAL) AS RESOURCE_KEY
  FROM INTERACTION_RESOURCE_FACT
  WHERE INTERACTION_ID IN (SELECT idb_key(ROOT) FROM call_ixn) AND AGENT_MATCH <> 'not_agent_dn'
    AND START_TS BETWEEN bound_from((SELECT min(CREATED_TS) FROM call_ixn))
                     AND bound_to((SELECT max(CREATED_TS) FROM call_ixn) + $max_call_s)
  GROUP BY ALL
)
SELECT
  idb_key('attempt|' || l.CHAINGUID || '|' || l.CALLATTID) AS CONTACT_ATTEMPT_FACT_KEY,
  l.CALLATTID AS CALL_ATTEMPT_ID,
  l.CHAINGUID AS CHAIN_GUID,
  l.RECORDHANDLE AS RECORD_HANDLE,
  row_number() OVER (PARTITION BY l.CHAINGUID ORDER BY l.START_TS, l.CALLATTID)::INTEGER AS ATTEMPT_ORDINAL,
  ch.SESSID AS CAMPAIGN_GROUP_SESSION_ID,
  cs.OCSID AS OCS_ID,
  cfg_resource_key(CfgType.TENANT, coalesce(cg.TENANTID, cmp.TENANTID)) AS TENANT_KEY,
  campaign_group_key(ch.GROUPID) AS CAMPAIGN_GROUP_KEY,
  campaign_key(ch.CAMPAIGNID) AS CAMPAIGN_KEY,
  idb_key('group|' || cg.GROUPID) AS GROUP_KEY,
  calling_list_key(ch.CALLINGLISTID) AS CALLING_LIST_KEY,
  coalesce(mc.DIALMODE, cs.DIALMODE)::INTEGER AS DIALING_MODE_KEY,   -- in effect when the attempt began
  l.CALLRESULT::INTEGER AS CALL_RESULT_KEY,
  l.START_TS, l.END_TS, interval_key(l.START_TS) AS START_DATE_TIME_KEY, interval_key(l.END_TS) AS END_DATE_TIME_KEY,
  l.END_TS - l.START_TS AS ATTEMPT_DURATION,
  coalesce(an.ANSWERED_TS, ci.TERMINATED_TS) - ci.CREATED_TS AS DIAL_DURATION,
  ai.ENGAGE_DURATION,
  l.CALLID AS MEDIA_SERVER_IXN_GUID,
  CASE WHEN ci.ROOT IS NOT NULL THEN idb_key(ci.ROOT) END AS INTERACTION_ID,
  ai.IRF_ID AS INTERACTION_RESOURCE_ID,
  ai.RESOURCE_KEY,
  l.LINK_PATH,
  l.SOURCE_NAME
FROM linked AS l
LEFT JOIN chain AS ch ON ch.CHAINGUID = l.CHAINGUID
LEFT JOIN session AS cs ON cs.SESSID = ch.SESSID
ASOF LEFT JOIN mode_change AS mc ON mc.SESSID = ch.SESSID AND l.START_TS >= mc.ADDED_TS
LEFT JOIN _T_CAMPAIGN_CFG AS cmp ON cmp.CAMPAIGNID = ch.CAMPAIGNID
LEFT JOIN _T_CAMPAIGN_GROUP_CFG AS cg ON cg.CAMPGROUPID = ch.GROUPID
LEFT JOIN call_ixn AS ci ON ci.CALLID = l.CALLID
LEFT JOIN answered AS an ON an.CALLID = l.CALLID
LEFT JOIN agent_irf AS ai ON ai.CALLID = l.CALLID
