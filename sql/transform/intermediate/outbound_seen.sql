-- model: outbound_seen
-- layer: intermediate
-- target: _T_OB_SEEN
--
-- Campaigns, campaign groups and calling lists this cycle's outbound facts name (by DBID), with when
-- each was first seen: the outbound dimensions add those configuration lacks.
SELECT KIND, DBID, min(TS) AS TS FROM (
  SELECT 'campaign' AS KIND, ch.CAMPAIGNID AS DBID, ch.CREATED_TS AS TS FROM GIDB_GO_CHAIN AS ch JOIN _T_CHAIN USING (CHAINGUID)
  UNION ALL
  SELECT 'campaign_group', ch.GROUPID, ch.CREATED_TS FROM GIDB_GO_CHAIN AS ch JOIN _T_CHAIN USING (CHAINGUID)
  UNION ALL
  SELECT 'calling_list', ch.CALLINGLISTID, ch.CREATED_TS FROM GIDB_GO_CHAIN AS ch JOIN _T_CHAIN USING (CHAINGUID)
  UNION ALL
  SELECT 'campaign', cs.CAMPAIGNID, cs.CREATED_TS FROM GIDB_GO_CAMPAIGN AS cs JOIN _T_CAMPAIGN_SESSION USING (SESSID)
  UNION ALL
  SELECT 'campaign_group', cs.GROUPID, cs.CREATED_TS FROM GIDB_GO_CAMPAIGN AS cs JOIN _T_CAMPAIGN_SESSION USING (SESSID)
  UNION ALL
  SELECT CASE OBJECTTYPE WHEN MetricObjectType.CALLING_LIST THEN 'calling_list' ELSE 'campaign_group' END, OBJECTID, ADDED_TS FROM _T_METRIC_SCOPE
) WHERE DBID IS NOT NULL
GROUP BY ALL
