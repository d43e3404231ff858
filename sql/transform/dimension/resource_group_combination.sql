-- model: resource_group_combination
-- layer: dimension
-- target: RESOURCE_GROUP_COMBINATION
-- key: GROUP_COMBINATION_KEY, GROUP_KEY
-- scope: TRUE
--
-- RESOURCE_GROUP_COMBINATION: one row per group of each combination of groups an agent (agent groups)
-- or a DN (DN groups: queue groups) has belonged to (resource_group_segments.sql); a fact's
-- RESOURCE_GROUP_COMBINATION_KEY joins here to all of its resource's groups at the time, so a group's
-- total is its members' (an agent in two groups counts in both, and so does a queue).
-- The combination -2 is the group -2, No Group: the facts whose resource was in none.
SELECT DISTINCT GROUP_COMBINATION_KEY, unnest(GROUP_KEYS) AS GROUP_KEY FROM _T_GROUP_SEGMENT
UNION ALL
SELECT -2, -2
