-- model: party_segment
-- layer: intermediate
-- runs: slice
-- target: _T_SEGMENT
--
-- Party state segments: each state from its change to the next change (the last one to the party's
-- end), with the seconds of it the customer was on the call (CUSTOMER_* measures count only those).
WITH seg AS (
  SELECT
    p.IRF_ID, p.SOURCE_NAME, p.CALLID, h.STATE, h.ADDED_TS AS START_TS,
    least(
      coalesce(lead(h.ADDED_TS) OVER (PARTITION BY p.IRF_ID ORDER BY h.PSEQ, h.ADDED_TS), p.MEASURED_END_TS),
      p.MEASURED_END_TS
    ) AS END_TS,
    h.CHANGETYPE
  FROM GIDB_G_PARTY_HISTORY AS h
  JOIN _T_PARTY AS p ON p.SOURCE_NAME = h.SOURCE_NAME AND p.PARTYID = h.PARTYID
  WHERE h.ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(h.ADDED_TS, $ixn_from) AND h.STATE BETWEEN PartyState.IDLE AND PartyState.RELEASED
)
SELECT
  s.IRF_ID, s.STATE, s.START_TS, s.END_TS, greatest(s.END_TS - s.START_TS, 0) AS SECONDS,
  -- none where no customer is on the call (overlap_s of a NULL bound would be the whole segment)
  CASE WHEN c.CALLID IS NULL THEN 0 ELSE overlap_s(s.START_TS, s.END_TS, c.FROM_TS, c.LEFT_TS) END
    AS CUSTOMER_SECONDS
FROM seg AS s
LEFT JOIN _T_CUSTOMER AS c ON c.SOURCE_NAME = s.SOURCE_NAME AND c.CALLID = s.CALLID
WHERE s.CHANGETYPE <> PartyChangeType.TERMINATED AND s.STATE NOT IN (PartyState.IDLE, PartyState.RELEASED)
