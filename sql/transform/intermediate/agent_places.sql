-- model: agent_places
-- layer: intermediate
-- target: _T_AGENT_PLACE
--
-- Where each agent sat for voice: the place of each voice login session that names one (a classic
-- site's; a SIP Cluster has no places, so its sessions name none), from login to logout. A resource
-- fact's PLACE_KEY is its agent's place when it began (Info Mart's PLACE dimension, from GC_PLACE);
-- the resource facts are voice, so a blended agent's multimedia place is not a call's (our decision:
-- Info Mart's table pages do not say which session's place a fact takes).
SELECT DISTINCT cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY,
  cfg_resource_key(CfgType.PLACE, PLACEID) AS PLACE_KEY,
  CREATED_TS AS FROM_TS, coalesce(TERMINATED_TS, $sentinel) AS TO_TS
FROM GIDB_G_LOGIN_SESSION
WHERE PLACEID IS NOT NULL AND AGENTID IS NOT NULL AND coalesce(MEDIATYPE, MediaType.VOICE) = MediaType.VOICE
