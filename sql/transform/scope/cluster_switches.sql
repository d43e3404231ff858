-- model: cluster_switches
-- layer: scope
-- target: _T_CLUSTER_SWITCH
--
-- The switches of the deployment's SIP Cluster nodes (their DNs are identified by name: resource.sql).
SELECT DISTINCT DS2_DBID AS SWITCHID FROM CTL_DSS_SESSION
WHERE DS2_DBID IS NOT NULL AND SOURCE_NAME IN (SELECT SOURCE_NAME FROM _T_SRC WHERE SIP_CLUSTER)
