-- model: discards
-- layer: intermediate
-- target: _T_DISCARD
--
-- Rows of the interactions and sessions in scope that cannot be transformed, with the reason (they
-- are left out of the facts; everything else of their interaction or session is still loaded). The
-- GIDB rows are found by the few columns that make them bad, then read whole by rowid: reading every
-- column of every party in scope to keep none cost as much as building the parties (1M-call day, 22:00).
-- A user-data value mapped to a number column (IRF_USER_DATA_GEN_1's REVENUE, SATISFACTION) that is not
-- a number is listed too: the fact is loaded without it.
SELECT SOURCE_NAME, 'G_IR' AS TABLE_NAME, 'CREATED_TS' AS COLUMN_NAME, IRID AS ROW_KEY,
  'interaction created at an implausible time (' || CREATED_TS || '): it begins with its root call, else its first party'
    AS REASON,
  to_json(i)::VARCHAR AS ROW_JSON
FROM GIDB_G_IR AS i
WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND NOT plausible_ts(CREATED_TS)
UNION ALL
SELECT SOURCE_NAME, 'G_CALL', 'CREATED_TS', CALLID,
  'call created at an implausible time (' || CREATED_TS || '): its creation is not used', to_json(c)::VARCHAR
FROM GIDB_G_CALL AS c WHERE rowid IN (
  SELECT rowid FROM GIDB_G_CALL WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND NOT plausible_ts(CREATED_TS)
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'CREATED_TS', CALLID || '|' || PARTYID,
  'party created at an implausible time (' || CREATED_TS || '): it begins with its first state', to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND NOT plausible_ts(CREATED_TS)
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', CASE WHEN PARTYID IS NULL THEN 'PARTYID' ELSE 'TERMINATED_TS' END,
  CALLID || '|' || coalesce(PARTYID, 'GSYS_SEQ ' || GSYS_SEQ),
  CASE WHEN PARTYID IS NULL THEN 'party without PARTYID: its states cannot be read, it loads without them'
       ELSE 'party without an end (TERMINATED_TS NULL): it ends with its last state' END,
  to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
    AND (PARTYID IS NULL OR TERMINATED_TS IS NULL)
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'PARTYID', CALLID || '|' || PARTYID,
  'party without any state (no G_PARTY_HISTORY row): it loads with no ring, talk or hold', to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT g.rowid FROM GIDB_G_PARTY AS g
  ANTI JOIN (SELECT SOURCE_NAME, PARTYID FROM GIDB_G_PARTY_HISTORY
             WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(ADDED_TS, $ixn_from)) AS h
    USING (SOURCE_NAME, PARTYID)
  WHERE g.ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(g.CREATED_TS, $ixn_from) AND g.PARTYID IS NOT NULL
)
UNION ALL
SELECT SOURCE_NAME, 'G_IR' AS TABLE_NAME, 'TERMINATED_TS' AS COLUMN_NAME, IRID AS ROW_KEY,
  'interaction ends before it begins: it ends where it begins' AS REASON, to_json(i)::VARCHAR AS ROW_JSON
FROM GIDB_G_IR AS i
WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND TERMINATED_TS < CREATED_TS
UNION ALL
SELECT SOURCE_NAME, 'G_CALL', 'TERMINATED_TS', CALLID,
  'call ends before it begins: its end is not used (its parties give its times)', to_json(c)::VARCHAR
FROM GIDB_G_CALL AS c WHERE rowid IN (
  SELECT rowid FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND TERMINATED_TS < CREATED_TS
)
UNION ALL
SELECT SOURCE_NAME, 'G_IR', 'TERMINATED_TS', IRID,
  'interaction ends at an implausible time (' || TERMINATED_TS || ', over 30 days after it began): it ends with its last party',
  to_json(i)::VARCHAR
FROM GIDB_G_IR AS i
WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
  AND NOT plausible_end(CREATED_TS, TERMINATED_TS, STUCK_FLAG)
UNION ALL
SELECT SOURCE_NAME, 'G_CALL', 'TERMINATED_TS', CALLID,
  'call ends at an implausible time (' || TERMINATED_TS || ', over 30 days after it began): its end is not used',
  to_json(c)::VARCHAR
FROM GIDB_G_CALL AS c WHERE rowid IN (
  SELECT rowid FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
    AND NOT plausible_end(CREATED_TS, TERMINATED_TS, STUCK_FLAG)
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'TERMINATED_TS', CALLID || '|' || PARTYID,
  'party ends at an implausible time (' || TERMINATED_TS || ', over 30 days after it began): it ends with its last state',
  to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
    AND NOT plausible_end(CREATED_TS, TERMINATED_TS, STUCK_FLAG)
)
UNION ALL
SELECT SOURCE_NAME, 'G_CALL', 'CALLID', 'IRID ' || IRID || '|GSYS_SEQ ' || GSYS_SEQ,
  'call without CALLID: its parties, user data and routing cannot find it (listed as not extracted)',
  to_json(c)::VARCHAR
FROM GIDB_G_CALL AS c WHERE rowid IN (
  SELECT rowid FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND CALLID IS NULL
)
UNION ALL
SELECT SOURCE_NAME, 'G_CALL', 'CALLTYPE', CALLID, 'unknown call type ' || CALLTYPE || ': its interaction type is UNKNOWN',
  to_json(c)::VARCHAR
FROM GIDB_G_CALL AS c WHERE rowid IN (
  SELECT rowid FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND NOT is_code($codes_calltype, CALLTYPE)
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'TYPE', CALLID || '|' || PARTYID,
  'unknown party type ' || TYPE || ': an internal DN where it has an agent or a configured DN, else the customer',
  to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND NOT is_code($codes_party_type, TYPE)
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'PROLE', CALLID || '|' || PARTYID, 'unknown party role ' || PROLE || ': taken as a receiver',
  to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND NOT is_code($codes_prole, PROLE)
)
UNION ALL
SELECT SOURCE_NAME, 'G_CALL', 'CALLID', CALLID || '|' || GSYS_SEQ,
  'call held twice with other content: its row of the latest GSYS_SEQ is taken', to_json(c)::VARCHAR
FROM GIDB_G_CALL AS c WHERE rowid IN (
  SELECT rowid FROM GIDB_G_CALL AS c
  SEMI JOIN (  -- the calls held twice first: numbering every call in scope cost most of this model
    SELECT HA_SET, ENTITY_KEY, CALLID FROM GIDB_G_CALL
    WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
    GROUP BY ALL HAVING min(GSYS_SEQ) < max(GSYS_SEQ)
  ) AS twice ON twice.HA_SET = c.HA_SET AND twice.ENTITY_KEY = c.ENTITY_KEY AND twice.CALLID IS NOT DISTINCT FROM c.CALLID
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
  -- a copy of the same row is no conflict, and a row read twice is listed once
  QUALIFY GSYS_SEQ < max(GSYS_SEQ) OVER (PARTITION BY HA_SET, ENTITY_KEY, CALLID)
      AND row_number() OVER (PARTITION BY HA_SET, ENTITY_KEY, CALLID, GSYS_SEQ) = 1
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'PARTYID', CALLID || '|' || PARTYID || '|' || GSYS_SEQ,
  'party held twice with other content: its row of the latest GSYS_SEQ is taken', to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY AS p
  SEMI JOIN (
    SELECT SOURCE_NAME, PARTYID FROM GIDB_G_PARTY
    WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
    GROUP BY ALL HAVING min(GSYS_SEQ) < max(GSYS_SEQ)
  ) AS twice ON twice.SOURCE_NAME = p.SOURCE_NAME AND twice.PARTYID IS NOT DISTINCT FROM p.PARTYID
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from)
  QUALIFY GSYS_SEQ < max(GSYS_SEQ) OVER (PARTITION BY SOURCE_NAME, PARTYID)
      AND row_number() OVER (PARTITION BY SOURCE_NAME, PARTYID, GSYS_SEQ) = 1
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY', 'TERMINATED_TS', CALLID || '|' || PARTYID,
  'party ends before it begins: no resource fact', to_json(p)::VARCHAR
FROM GIDB_G_PARTY AS p WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(CREATED_TS, $ixn_from) AND TERMINATED_TS < CREATED_TS
)
UNION ALL
SELECT SOURCE_NAME, 'G_PARTY_HISTORY', 'STATE', PARTYID || '|' || PSEQ,
  'unknown party state ' || STATE || ': the change is ignored', to_json(h)::VARCHAR
FROM GIDB_G_PARTY_HISTORY AS h WHERE rowid IN (
  SELECT rowid FROM GIDB_G_PARTY_HISTORY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(ADDED_TS, $ixn_from) AND NOT (STATE BETWEEN PartyState.IDLE AND PartyState.RELEASED)
)
UNION ALL
SELECT h.SOURCE_NAME, 'G_AGENT_STATE_HISTORY', 'STATE', h.LOGINSESSIONID || '|' || h.SEQ,
  'unknown agent state ' || h.STATE || ': the change is ignored', to_json(h)::VARCHAR
FROM GIDB_G_AGENT_STATE_HISTORY AS h JOIN _T_SESSION AS s ON s.SOURCE_NAME = h.SOURCE_NAME AND s.LOGINSESSIONID = h.LOGINSESSIONID
WHERE h.TYPE = AgentStateType.STATE AND NOT (h.STATE BETWEEN AgentState.LOGGED_OFF AND AgentState.DO_NOT_DISTURB)
UNION ALL
SELECT SOURCE_NAME, 'G_LOGIN_SESSION', 'TERMINATED_TS', ENTITY_KEY, 'session ends before it begins: no session fact',
  to_json(s)::VARCHAR
FROM _T_SESSION AS s WHERE END_TS < START_TS
UNION ALL
SELECT SOURCE_NAME, 'G_LOGIN_SESSION', 'AGENTID', ENTITY_KEY, 'session of no configured person: no agent facts',
  to_json(s)::VARCHAR
FROM _T_SESSION AS s WHERE AGENTID IS NULL
UNION ALL
SELECT u.SOURCE_NAME, 'G_USERDATA_HISTORY', 'VALUE', u.CALLID || '|' || u.KEYNAME || '|' || u.CSEQ,
  'value of ' || u.KEYNAME || ' is not a number (' || u.VALUE || '): IRF_USER_DATA_GEN_1.' || m.COLUMN_NAME
    || ' holds none from it', to_json(u)::VARCHAR
FROM GIDB_G_USERDATA_HISTORY AS u
JOIN _T_UD_MAP AS m ON m.KEYNAME = u.KEYNAME AND m.TABLE_NAME = 'IRF_USER_DATA_GEN_1'
  AND m.COLUMN_NAME IN ('REVENUE', 'SATISFACTION')
WHERE u.ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(u.ADDED_TS, $ixn_from)
  AND u.CHANGETYPE <> UserDataChangeType.DELETED AND TRY_CAST(u.VALUE AS DECIMAL(18, 2)) IS NULL
