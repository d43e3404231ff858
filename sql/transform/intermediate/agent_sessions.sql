-- model: agent_sessions
-- layer: intermediate
-- target: _T_AGENT_SESSIONS
--
-- The login sessions of the agents whose summarised states this cycle rebuilds (_T_STATE_AGENT), from
-- each agent's FROM_TS on, with their DN as a resource (the identity rules of login_sessions.sql and
-- session_resource.sql): the states and their reasons are rebuilt over all of them together, since
-- one DN's state decides what another DN's reason counts for.
SELECT
  ls.ENTITY_KEY, ls.SOURCE_NAME, ls.LOGINSESSIONID, ls.AGENTID, ls.TENANTID, coalesce(ls.MEDIATYPE, MediaType.VOICE) AS MEDIATYPE,
  party_dn_key(src.SIP_CLUSTER, ls.PRIMARYDEVICEID, ls.SWITCHID, coalesce(ls.GSYS_EXT_VCH1, dn.DN)) AS MEDIA_RESOURCE_KEY,
  ls.CREATED_TS AS START_TS, coalesce(ls.TERMINATED_TS, $sentinel) AS END_TS
FROM GIDB_G_LOGIN_SESSION AS ls
JOIN _T_STATE_AGENT AS a ON a.AGENTID = ls.AGENTID AND ls.CREATED_TS >= a.FROM_TS
JOIN _T_SRC AS src ON src.SOURCE_NAME = ls.SOURCE_NAME
LEFT JOIN (
  SELECT ENDPOINTID, DN FROM GIDB_GC_ENDPOINT QUALIFY row_number() OVER (PARTITION BY ENDPOINTID ORDER BY CREATED_TS DESC) = 1
) AS dn ON dn.ENDPOINTID = ls.PRIMARYDEVICEID AND NOT src.SIP_CLUSTER
