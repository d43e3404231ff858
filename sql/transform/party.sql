-- Every party of the interactions in scope, classified, with the times the facts need. A party is
-- identified across HA members and runs by its call, DN and creation time (PARTYID is per IDB
-- outside a SIP Cluster), which gives its INTERACTION_RESOURCE_ID.
--   KIND: customer (an external party), mediation (routing point, ACD or virtual queue: it routed or
--   queued the call), ivr (treatment), dn (an agent's DN or any other internal DN).
WITH history AS (
  SELECT
    SOURCE_NAME, PARTYID,
    bool_or(STATE IN (5, 6)) AS MEDIATED,
    bool_or(STATE = 6) AND NOT bool_or(STATE = 5) AS ROUTED_ONLY,
    bool_or(STATE = 7) AS TREATED,
    min(ADDED_TS) FILTER (STATE IN (1, 2, 3)) AS ALERT_TS,
    min(ADDED_TS) FILTER (STATE = 3) AS ANSWER_TS,
    arg_max(STATE, (PSEQ, ADDED_TS)) FILTER (CHANGETYPE <> 3 AND STATE <> 9) AS LAST_STATE
  FROM GIDB_G_PARTY_HISTORY
  WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND in_ixn_time(ADDED_TS)
  GROUP BY ALL
),
-- The scope's parties and calls first (MATERIALIZED): left to itself DuckDB joined all of GIDB_G_PARTY
-- to all of GIDB_G_CALL and filtered the scope after (22:00 of the 1M day: 3.3 million rows joined
-- for 87 thousand kept).
party AS MATERIALIZED (
  SELECT * FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND in_ixn_time(CREATED_TS) AND TERMINATED_TS >= CREATED_TS
),
call AS MATERIALIZED (
  SELECT HA_SET, ENTITY_KEY, CALLID, CALLTYPE, PARENTCALLID, MEDIATYPE
  FROM GIDB_G_CALL WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND in_ixn_time(CREATED_TS)
),
configured_dn AS (
  SELECT ENDPOINTID, TYPE FROM GIDB_GC_ENDPOINT
  QUALIFY row_number() OVER (PARTITION BY ENDPOINTID ORDER BY CREATED_TS DESC) = 1
)
SELECT
  p.ENTITY_KEY AS ROOT, p.HA_SET, p.SOURCE_NAME, p.PARTYID, p.PARENTPARTYID, p.PARTYGUID, p.CALLID,
  c.CALLTYPE, c.PARENTCALLID, coalesce(c.MEDIATYPE, 0) AS MEDIATYPE,
  p.TYPE, p.PROLE, p.ENDPOINTDN, p.ENDPOINTID, p.SWITCHID, p.TENANTID,
  nullif(p.AGENTID, 0) AS REPORTED_AGENTID,
  src.SIP_CLUSTER,
  p.CREATED_TS,
  -- a stuck party ends at the sentinel; its measures stop max_call_duration_s after it began
  CASE WHEN p.STUCK_FLAG THEN least(p.TERMINATED_TS, p.CREATED_TS + getvariable('max_call_s'))
       ELSE p.TERMINATED_TS END AS MEASURED_END_TS,
  p.TERMINATED_TS,
  p.STUCK_FLAG,
  h.ALERT_TS, h.ANSWER_TS, h.LAST_STATE,
  CASE
    WHEN p.TYPE <> 1 THEN 'customer'
    WHEN h.MEDIATED OR cd.TYPE IN (3, 4, 5, 6) THEN 'mediation'
    WHEN h.TREATED OR cd.TYPE = 9 THEN 'ivr'
    ELSE 'dn'
  END AS KIND,
  -- a routing point (or virtual routing point) by its configured or reported DN type, else by having
  -- routed the call without queuing it: its time is not a mediation segment (GIMPopMSF)
  coalesce(cd.TYPE IN (4, 6), nullif(p.ENDPOINTTYPE, 1) IN (4, 6), h.ROUTED_ONLY, FALSE) AS ROUTING_POINT,
  idb_key(
    p.CALLID || '|' || coalesce(p.ENDPOINTDN, '') || '|' || p.CREATED_TS || '|' ||
    row_number() OVER (PARTITION BY p.HA_SET, p.CALLID, p.ENDPOINTDN, p.CREATED_TS ORDER BY p.PROLE, p.PARTYID)
  ) AS IRF_ID
FROM party AS p
JOIN call AS c ON c.HA_SET = p.HA_SET AND c.ENTITY_KEY = p.ENTITY_KEY AND c.CALLID = p.CALLID
JOIN _T_SRC AS src ON src.SOURCE_NAME = p.SOURCE_NAME
LEFT JOIN history AS h ON h.SOURCE_NAME = p.SOURCE_NAME AND h.PARTYID = p.PARTYID
LEFT JOIN configured_dn AS cd ON cd.ENDPOINTID = p.ENDPOINTID AND NOT src.SIP_CLUSTER
