-- User data of an IDB that holds no calls (a gud-only ICON): each call's user data is one entity,
-- by CALLID. History rows are only ever inserted, so a call touched in the window is ready.
SELECT
  t.CALLID AS ENTITY_ID,
  t.CALLID AS ENTITY_KEY,
  MIN(t.ADDED_TS) AS START_TS,
  MAX(t.ADDED_TS) AS END_TS,
  FALSE AS STUCK
FROM G_USERDATA_HISTORY AS t
WHERE t.GSYS_SEQ <= :hi AND t.CALLID IN (SELECT ENTITY_ID FROM touched)
GROUP BY t.CALLID
