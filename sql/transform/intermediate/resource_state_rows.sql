-- model: resource_state_rows
-- layer: intermediate
-- runs: slice
-- target: _T_IXN_STATE
--
-- The states of each handling attempt, one row per state a party of it was in (Info Mart's
-- IXN_RESOURCE_STATE_FACT): Initiate (dialing), Alert (ringing), Connect (talking, or an IVR's
-- treatment), Hold, and Wrap (the agent's after-call work, from the party's end for its length); the
-- state's role is the party's: Initiator for the party that made the call, else Receiver. An Initiate
-- row has the number or DN the party called (TARGET_ADDRESS: the call's first destination party's DN).
WITH party AS (
  SELECT IRF_ID, HANDLING_IRF_ID, CALLID, SOURCE_NAME, TERMINATED_TS,
         CASE WHEN PROLE = PartyRole.ORIGINATOR THEN 'INITIATOR' ELSE 'RECEIVER' END AS ROLE_CODE
  FROM _T_PARTY WHERE KIND IN ('dn', 'ivr')
),
called AS (
  SELECT SOURCE_NAME, CALLID, arg_min(ENDPOINTDN, CREATED_TS) AS TARGET_ADDRESS
  FROM _T_PARTY WHERE PROLE = PartyRole.DESTINATION GROUP BY ALL
),
state AS (
  SELECT p.HANDLING_IRF_ID, p.IRF_ID, p.ROLE_CODE, s.START_TS, s.END_TS,
    CASE s.STATE WHEN PartyState.DIALING THEN 'INITIATE' WHEN PartyState.RINGING THEN 'ALERT'
      WHEN PartyState.CONNECTED THEN 'CONNECT' WHEN PartyState.TREATMENT THEN 'CONNECT'
      WHEN PartyState.HELD THEN 'HOLD' END AS STATE_CODE,
    CASE WHEN s.STATE = PartyState.DIALING THEN c.TARGET_ADDRESS END AS TARGET_ADDRESS
  FROM _T_SEGMENT AS s JOIN party AS p USING (IRF_ID)
  LEFT JOIN called AS c ON c.SOURCE_NAME = p.SOURCE_NAME AND c.CALLID = p.CALLID
  UNION ALL
  SELECT p.HANDLING_IRF_ID, p.IRF_ID, p.ROLE_CODE, p.TERMINATED_TS, p.TERMINATED_TS + w.ACW_SECONDS, 'WRAP', NULL
  FROM _T_ACW AS w JOIN party AS p USING (IRF_ID)
)
SELECT
  -- two changes to one state in the same second (ICON records one per event) are two rows
  idb_key('ixn_state|' || s.IRF_ID || '|' || s.STATE_CODE || '|' || s.START_TS || '|'
          || row_number() OVER (PARTITION BY s.IRF_ID, s.STATE_CODE, s.START_TS ORDER BY s.END_TS))
    AS IXN_RESOURCE_STATE_FACT_KEY,
  s.HANDLING_IRF_ID AS INTERACTION_RESOURCE_ID, i.INTERACTION_ID, i.TENANT_KEY, i.MEDIA_TYPE_KEY,
  i.INTERACTION_TYPE_KEY, i.RESOURCE_KEY,
  idb_key('ixn_resource_state|' || s.STATE_CODE || '|' || s.ROLE_CODE) AS INTERACTION_RESOURCE_STATE_KEY,
  s.START_TS, s.END_TS, interval_key(s.START_TS) AS START_DATE_TIME_KEY, interval_key(s.END_TS) AS END_DATE_TIME_KEY,
  greatest(s.END_TS - s.START_TS, 0) AS TOTAL_DURATION, s.TARGET_ADDRESS
FROM state AS s JOIN _T_IRF AS i ON i.INTERACTION_RESOURCE_ID = s.HANDLING_IRF_ID
WHERE s.STATE_CODE IS NOT NULL
