-- model: session_resource
-- layer: intermediate
-- target: _T_SESSION_RES
--
-- The DN of each republished login session as a resource (same identity rules as a party's DN).
SELECT ENTITY_KEY, party_dn_key(SIP_CLUSTER, PRIMARYDEVICEID, SWITCHID, DN) AS RESOURCE_KEY,
  CASE WHEN party_dn_dbid(SIP_CLUSTER, PRIMARYDEVICEID) IS NOT NULL THEN 'cfg' ELSE 'dn' END AS IDENTITY_RULE,
  DN, SWITCHID AS SWITCH_DBID, TENANTID, CfgType.DN AS CFG_TYPE_ID, party_dn_dbid(SIP_CLUSTER, PRIMARYDEVICEID) AS CFG_DBID,
  START_TS
FROM _T_SESSION
