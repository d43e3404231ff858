-- model: resource_group_segments
-- layer: intermediate
-- target: _T_GROUP_SEGMENT
--
-- Each agent's and each DN's time cut where its groups change (GCX_GROUP_AGENT for agent groups,
-- GCX_GROUP_ENDPOINT for DN groups such as queue groups: a membership lasts from its CREATED_TS to its
-- DELETED_TS), with the combination of groups it belonged to in each piece: Info Mart describes a
-- fact by the groups its resource belonged to (RESOURCE_GROUP_COMBINATION; RAA aggregates agents and
-- queues along it, Table-AGT_AGENT_HOUR, Table-AGT_QUEUE_ABN_HOUR). A piece in no group is no row. A
-- DN is the resource of its DBID and, where a fact names it by switch and name (a SIP Cluster), of that.
WITH member AS (
  SELECT DISTINCT cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
         CREATED_TS AS FROM_TS, coalesce(DELETED_TS, $sentinel) AS TO_TS
  FROM GIDB_GCX_GROUP_AGENT WHERE coalesce(DELETED_TS, $sentinel) > CREATED_TS
  UNION
  SELECT DISTINCT unnest([cfg_resource_key(CfgType.DN, m.ENDPOINTID), dn_resource_key(e.SWITCHID, e.DN)]),
         idb_key('group|' || m.GROUPID), m.CREATED_TS, coalesce(m.DELETED_TS, $sentinel)
  FROM GIDB_GCX_GROUP_ENDPOINT AS m
  JOIN (SELECT DISTINCT ENDPOINTID, SWITCHID, DN FROM GIDB_GC_ENDPOINT) AS e USING (ENDPOINTID)
  WHERE coalesce(m.DELETED_TS, $sentinel) > m.CREATED_TS
),
bound AS (SELECT DISTINCT RESOURCE_KEY, unnest([FROM_TS, TO_TS]) AS TS FROM member),
piece AS (
  SELECT RESOURCE_KEY, TS AS FROM_TS, lead(TS) OVER (PARTITION BY RESOURCE_KEY ORDER BY TS) AS TO_TS FROM bound
)
SELECT p.RESOURCE_KEY, p.FROM_TS, p.TO_TS, list_sort(list(DISTINCT m.GROUP_KEY)) AS GROUP_KEYS,
  idb_key('groups|' || array_to_string(list_sort(list(DISTINCT m.GROUP_KEY)), ',')) AS GROUP_COMBINATION_KEY
FROM piece AS p
JOIN member AS m ON m.RESOURCE_KEY = p.RESOURCE_KEY AND m.FROM_TS <= p.FROM_TS AND p.FROM_TS < m.TO_TS
WHERE p.TO_TS IS NOT NULL
GROUP BY p.RESOURCE_KEY, p.FROM_TS, p.TO_TS
