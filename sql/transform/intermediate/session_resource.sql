-- model: session_resource
-- layer: intermediate
-- target: _T_SESSION_RES
--
-- The DN of each republished login session as a resource (same identity rules as a party's DN).
SELECT ENTITY_KEY, party_dn_key(SIP_CLUSTER, PRIMARYDEVICEID, SWITCHID, DN) AS RESOURCE_KEY,
  CASE WHEN NOT SIP_CLUSTER AND coalesce(PRIMARYDEVICEID, 0) > 0 THEN 'cfg' ELSE 'dn' END AS IDENTITY_RULE,
  DN, SWITCHID AS SWITCH_DBID, TENANTID, CfgType.DN AS CFG_TYPE_ID, PRIMARYDEVICEID::BIGINT AS CFG_DBID, START_TS
FROM _T_SESSION
