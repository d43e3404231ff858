-- model: campaign_group_state_fact
-- layer: fact
-- target: CAMPAIGN_GROUP_STATE_FACT
-- key: CAMPAIGN_GROUP_STATE_FACT_KEY
-- scope: CAMPAIGN_GROUP_SESSION_ID IN (SELECT SESSID FROM _T_CAMPAIGN_SESSION)
--
-- CAMPAIGN_GROUP_STATE_FACT: each state a campaign session in scope was in (GO_CAMPAIGNHISTORY),
-- from its change to the next one (the last state ends when the session terminates). The
-- terminated state itself (0) is the session's end, not a state it spends time in.
WITH history AS (
  SELECT DISTINCT h.SESSID, h.STATE, h.CAUSE, h.ADDED_TS
  FROM GIDB_GO_CAMPAIGNHISTORY AS h JOIN _T_CAMPAIGN_SESSION USING (SESSID)
),
spans AS (
  SELECT *, lead(ADDED_TS) OVER (PARTITION BY SESSID ORDER BY ADDED_TS, STATE) AS NEXT_TS FROM history
)
SELECT
  idb_key('campaign_state|' || sp.SESSID || '|' || sp.ADDED_TS || '|' || sp.STATE) AS CAMPAIGN_GROUP_STATE_FACT_KEY,
  sp.SESSID AS CAMPAIGN_GROUP_SESSION_ID,
  f.TENANT_KEY, f.CAMPAIGN_GROUP_KEY, f.CAMPAIGN_KEY, f.GROUP_KEY,
  sp.STATE::INTEGER AS CAMPAIGN_GROUP_STATE_KEY,
  sp.CAUSE,
  sp.ADDED_TS AS START_TS,
  coalesce(sp.NEXT_TS, f.END_TS) AS END_TS,
  interval_key(sp.ADDED_TS) AS START_DATE_TIME_KEY,
  interval_key(coalesce(sp.NEXT_TS, f.END_TS)) AS END_DATE_TIME_KEY,
  coalesce(sp.NEXT_TS, f.END_TS) - sp.ADDED_TS AS TOTAL_DURATION
FROM spans AS sp
JOIN _T_CGS AS f ON f.CAMPAIGN_GROUP_SESSION_ID = sp.SESSID
WHERE sp.STATE <> CampaignState.TERMINATED
