-- Agent login sessions that have ended, touched in the window. Identity across the members of an HA
-- pair (LOGINSESSIONID differs per IDB): switch, agent, DN and login time, and a multimedia session's
-- media (one agent logs in to chat and e-mail at once; a voice session's key names none). In a SIP
-- Cluster the DN is named in GSYS_EXT_VCH1 (PRIMARYDEVICEID is 0); elsewhere it is the DN's DBID.
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
  FALSE AS STUCK
FROM G_LOGIN_SESSION AS ls
WHERE ls.GSYS_SEQ <= :hi
  AND ls.TERMINATED_TS IS NOT NULL
  AND ls.LOGINSESSIONID IN (SELECT ENTITY_ID FROM touched)
