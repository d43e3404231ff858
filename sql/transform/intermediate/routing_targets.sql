-- model: routing_targets
-- layer: intermediate
-- runs: slice
-- target: _T_ROUTE_TARGET
--
-- The target a routing strategy selected for each resource fact it routed the call to: the routing
-- point's last routing result (G_ROUTE_RESULT: RTARGETTYPESELECTED, RTARGETOBJECTSELECTED) on the fact
-- its stay handed the call to, with its ROUTING_TARGET row's key (a hash of the tenant, type and object).
SELECT TARGET_IXN_RESOURCE_ID AS IRF_ID, TENANT_KEY, TYPE_CODE, ROUTE_TARGET_OBJECT AS TARGET_OBJECT_SELECTED,
  idb_key('routing_target|' || TENANT_KEY || '|' || TYPE_CODE || '|' || coalesce(ROUTE_TARGET_OBJECT, ''))
    AS ROUTING_TARGET_KEY
FROM (
  SELECT TARGET_IXN_RESOURCE_ID, cfg_resource_key(CfgType.TENANT, TENANTID) AS TENANT_KEY, ROUTE_TARGET_OBJECT, START_TS,
    CASE ROUTE_TARGET_TYPE WHEN RouteTargetType.AGENT THEN 'AGENT' WHEN RouteTargetType.PLACE THEN 'PLACE'
      WHEN RouteTargetType.AGENT_GROUP THEN 'AGENT GROUP' WHEN RouteTargetType.PLACE_GROUP THEN 'PLACE GROUP'
      WHEN RouteTargetType.QUEUE THEN 'QUEUE' WHEN RouteTargetType.SKILL_EXPRESSION THEN 'SKILL EXPRESSION'
      ELSE 'UNKNOWN' END AS TYPE_CODE
  FROM _T_MSF
  WHERE TYPE_CODE = 'ROUTINGPOINT' AND TARGET_IXN_RESOURCE_ID IS NOT NULL
    AND (ROUTE_TARGET_TYPE IS NOT NULL OR ROUTE_TARGET_OBJECT IS NOT NULL)
)
QUALIFY row_number() OVER (PARTITION BY TARGET_IXN_RESOURCE_ID ORDER BY START_TS DESC) = 1
