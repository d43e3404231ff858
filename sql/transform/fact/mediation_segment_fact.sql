-- model: mediation_segment_fact
-- layer: fact
-- runs: slice
-- target: MEDIATION_SEGMENT_FACT
-- key: MEDIATION_SEGMENT_ID
-- scope: INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_IXN_IDS)
-- ranged: true
--
-- MEDIATION_SEGMENT_FACT rows from the mediation segments of the interactions in scope (_T_MSF): the
-- stays in ACD queues and virtual queues; a routing point's time is no mediation segment (GIMPopMSF).
-- RESOURCE_GROUP_COMBINATION_KEY: the DN groups the queue belonged to when the stay began (RAA's queue
-- group aggregates go along it, Table-AGT_QUEUE_ABN_HOUR); -2, No Group, where it was in none. The
-- stay's call (MEDIA_SERVER_IXN_GUID) and its interaction's type are on it, as Info Mart's MSF has them.
SELECT
  m.MEDIATION_SEGMENT_ID, idb_key(m.ROOT) AS INTERACTION_ID, cfg_resource_key(CfgType.TENANT, m.TENANTID) AS TENANT_KEY,
  m.MEDIATYPE AS MEDIA_TYPE_KEY, m.RESOURCE_KEY, m.RESOURCE_KEY AS MEDIA_RESOURCE_KEY,
  m.CALLID AS MEDIA_SERVER_IXN_GUID, f.INTERACTION_TYPE_KEY,
  coalesce(g.GROUP_COMBINATION_KEY, -2) AS RESOURCE_GROUP_COMBINATION_KEY,
  technical_descriptor_key('RECEIVED', 'UNSPECIFIED', m.RESULT_CODE, m.REASON_CODE) AS TECHNICAL_DESCRIPTOR_KEY,
  m.TARGET_IXN_RESOURCE_ID, m.START_TS, m.LEFT_TS AS END_TS,
  interval_key(m.START_TS) AS START_DATE_TIME_KEY, interval_key(m.LEFT_TS) AS END_DATE_TIME_KEY,
  m.MEDIATION_DURATION,
  m.RESULT_CODE = 'ABANDONED' AND m.MEDIATION_DURATION <= $short_abandon_s AS SHORT_ABANDONED_FLAG,
  m.STUCK_FLAG,
  m.ACTIVE_FLAG
FROM _T_MSF AS m
LEFT JOIN _T_IF AS f ON f.INTERACTION_ID = idb_key(m.ROOT)
LEFT JOIN _T_GROUP_SEGMENT AS g ON g.RESOURCE_KEY = m.RESOURCE_KEY AND m.START_TS >= g.FROM_TS AND m.START_TS < g.TO_TS
WHERE m.TYPE_CODE <> 'ROUTINGPOINT'
