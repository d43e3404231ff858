-- model: ocs_metrics
-- layer: scope
-- target: _T_METRIC_SCOPE
--
-- The OCS metric readings (object, time) the HA choice republished this cycle.
SELECT DISTINCT m.OBJECTTYPE, m.OBJECTID, m.ADDED_TS FROM GIDB_GO_METRICS AS m
JOIN _HA_NEW AS n ON n.ENTITY_KIND = 'ocs_metric' AND n.HA_SET = m.HA_SET AND n.ENTITY_KEY = m.ENTITY_KEY
