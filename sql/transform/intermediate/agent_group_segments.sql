-- model: agent_group_segments
-- layer: intermediate
-- target: _T_GROUP_SEGMENT
--
-- Each agent's time cut where its agent groups change (GCX_GROUP_AGENT: a membership lasts from its
-- CREATED_TS to its DELETED_TS), with the combination of groups it belonged to in each piece: Info
-- Mart describes a resource fact by the groups its resource belonged to (RESOURCE_GROUP_COMBINATION;
-- RAA aggregates agents along it, Table-AGT_AGENT_HOUR). A piece in no group is no row.
WITH member AS (
  SELECT DISTINCT cfg_resource_key(CfgType.PERSON, AGENTID) AS RESOURCE_KEY, idb_key('group|' || GROUPID) AS GROUP_KEY,
         CREATED_TS AS FROM_TS, coalesce(DELETED_TS, $sentinel) AS TO_TS
  FROM GIDB_GCX_GROUP_AGENT WHERE coalesce(DELETED_TS, $sentinel) > CREATED_TS
),
bound AS (SELECT DISTINCT RESOURCE_KEY, unnest([FROM_TS, TO_TS]) AS TS FROM member),
piece AS (
  SELECT RESOURCE_KEY, TS AS FROM_TS, lead(TS) OVER (PARTITION BY RESOURCE_KEY ORDER BY TS) AS TO_TS FROM bound
)
SELECT p.RESOURCE_KEY, p.FROM_TS, p.TO_TS, list_sort(list(m.GROUP_KEY)) AS GROUP_KEYS,
  idb_key('groups|' || array_to_string(list_sort(list(m.GROUP_KEY)), ',')) AS GROUP_COMBINATION_KEY
FROM piece AS p
JOIN member AS m ON m.RESOURCE_KEY = p.RESOURCE_KEY AND m.FROM_TS <= p.FROM_TS AND p.FROM_TS < m.TO_TS
WHERE p.TO_TS IS NOT NULL
GROUP BY p.RESOURCE_KEY, p.FROM_TS, p.TO_TS
