-- Agent login sessions touched in the window: ended, or still open where the session's record or its
-- DN (GX_SESSION_ENDPOINT) was written in the window (the login; `touched_open`, Kind.open_tables). An
-- open session is read without its states (STUCK: taken open; its record closed at the sentinel) so
-- that a SIP Cluster call finds its agent before the logout, and Info Mart's SM_RES_SESSION_FACT holds
-- active sessions ("Both active and completed sessions are populated"); its states are read with the
-- whole session when it ends. Identity across the members of an HA pair (LOGINSESSIONID differs per
-- IDB): switch, agent, DN and login time, and a multimedia session's media (one agent logs in to chat
-- and e-mail at once; a voice session's key names none). In a SIP Cluster the DN is named in
-- GSYS_EXT_VCH1 (PRIMARYDEVICEID is 0); elsewhere it is the DN's DBID.
SELECT
  ls.LOGINSESSIONID AS ENTITY_ID,
  CONCAT_WS(
    '|',
    COALESCE(CAST(ls.SWITCHID AS TEXT), ''),
    COALESCE(CAST(ls.AGENTID AS TEXT), ''),
    COALESCE(ls.GSYS_EXT_VCH1, CAST(ls.PRIMARYDEVICEID AS TEXT), ''),
    CAST(ls.CREATED_TS AS TEXT),
    CASE WHEN ls.MEDIATYPE <> MediaType.VOICE THEN CONCAT('media', CAST(ls.MEDIATYPE AS TEXT)) END
  ) AS ENTITY_KEY,
  ls.CREATED_TS AS START_TS,
  ls.TERMINATED_TS AS END_TS,
  ls.TERMINATED_TS IS NULL AS STUCK
FROM G_LOGIN_SESSION AS ls
WHERE ls.GSYS_SEQ <= :hi
  AND ls.LOGINSESSIONID IN (SELECT ENTITY_ID FROM touched)
  AND (ls.TERMINATED_TS IS NOT NULL OR ls.LOGINSESSIONID IN (SELECT ENTITY_ID FROM touched_open))
