-- model: resource_seen
-- layer: intermediate
-- target: _T_SEEN
--
-- Resources the facts of this cycle point at, by identity rule, for RESOURCE_: on-the-fly DNs
-- (cluster DNs, and DNs with no configured DBID) and IVR applications, and configured agents, DNs and
-- applications (so that a fact never points at a missing row, even before configuration arrives).
-- The interactions' part is gathered slice by slice (resources_met.sql) in _T_SEEN_SLICES.
WITH seen AS (
  SELECT * FROM _T_SEEN_SLICES
  UNION ALL
  SELECT RESOURCE_KEY, IDENTITY_RULE, DN, SWITCH_DBID, TENANTID, CFG_TYPE_ID, CFG_DBID, 'EXTENSION', START_TS FROM _T_SESSION_RES
  UNION ALL
  SELECT cfg_resource_key(CfgType.PERSON, AGENTID), 'agent', 'agent ' || AGENTID, NULL, TENANTID, CfgType.PERSON, AGENTID, 'AGENT', START_TS
  FROM _T_SESSION WHERE AGENTID IS NOT NULL
)
SELECT RESOURCE_KEY, min(IDENTITY_RULE) AS IDENTITY_RULE, min(RESOURCE_NAME) AS RESOURCE_NAME,
  min(SWITCH_DBID) AS SWITCH_DBID, min(TENANTID) AS TENANTID, min(CFG_TYPE_ID) AS CFG_TYPE_ID,
  min(CFG_DBID) AS CFG_DBID, min(TYPE_CODE) AS TYPE_CODE, min(SEEN_TS) AS FIRST_SEEN_TS
FROM seen WHERE RESOURCE_KEY IS NOT NULL GROUP BY RESOURCE_KEY
