-- model: agent_places
-- layer: intermediate
-- target: _T_AGENT_PLACE
--
-- Where each agent sat, per media: the place of each login session that names one (a classic site's or
-- an Interaction Server's; a SIP Cluster has no places, so its sessions name none), from login to
-- logout. A resource fact's PLACE_KEY is its agent's place when it began (Info Mart's PLACE dimension,
-- from GC_PLACE) in a session of the fact's media: a call's from the voice session, a chat's from the
-- chat session (our decision: Info Mart's table pages do not say which session's place a fact takes),
-- so a SIP Cluster agent's calls name no place even while the agent chats at one.
SELECT DISTINCT cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY,
  cfg_resource_key(CfgType.PLACE, PLACEID) AS PLACE_KEY, coalesce(MEDIATYPE, MediaType.VOICE) AS MEDIA_TYPE_KEY,
  CREATED_TS AS FROM_TS, coalesce(TERMINATED_TS, $sentinel) AS TO_TS
FROM GIDB_G_LOGIN_SESSION
WHERE PLACEID IS NOT NULL AND AGENTID IS NOT NULL
