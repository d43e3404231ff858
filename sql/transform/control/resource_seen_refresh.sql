-- model: resource_seen_refresh
-- layer: control
-- depends_on: stg_resource_seen
--
-- STG_RESOURCE_SEEN's first-seen times as a function of the facts: each resource at its earliest fact.
-- A resource is never forgotten (Info Mart keeps its RESOURCE_ rows): one whose facts were all rebuilt
-- without it keeps the time it had, and a later fact does not move it. Kept so from what the cycle changed, as the facts are kept for
-- ever: _T_TOUCHED holds the old and the new version of every fact row the cycle inserted, changed or
-- deleted. A resource none of whose changed rows began at or before its first-seen time keeps it (its
-- earliest fact is still there). The others, and the resources this cycle met first (_T_SEEN_NEW),
-- are recounted from the facts that began no earlier than the earliest of those times (none of theirs
-- began before), which DuckDB's zone maps of START_TS bound, and the facts without a START_TS.
CREATE OR REPLACE TEMP TABLE _T_SEEN_TOUCHED AS
SELECT * FROM (
  SELECT RESOURCE_KEY, START_TS FROM _T_TOUCHED
  WHERE FACT IN ('INTERACTION_RESOURCE_FACT', 'MEDIATION_SEGMENT_FACT', 'SM_RES_SESSION_FACT')
  UNION ALL
  SELECT MEDIA_RESOURCE_KEY, START_TS FROM _T_TOUCHED WHERE FACT IN ('INTERACTION_RESOURCE_FACT', 'SM_RES_SESSION_FACT')
) WHERE RESOURCE_KEY IS NOT NULL;
CREATE OR REPLACE TEMP TABLE _T_RECOUNT AS
SELECT s.RESOURCE_KEY, least(s.FIRST_SEEN_TS, min(t.START_TS)) AS FROM_TS
FROM STG_RESOURCE_SEEN AS s LEFT JOIN _T_SEEN_TOUCHED AS t USING (RESOURCE_KEY)
WHERE s.RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM _T_SEEN_NEW)
   OR (t.RESOURCE_KEY IS NOT NULL
       AND (t.START_TS IS NULL OR s.FIRST_SEEN_TS IS NULL OR t.START_TS <= s.FIRST_SEEN_TS))
GROUP BY s.RESOURCE_KEY, s.FIRST_SEEN_TS;
CREATE OR REPLACE TEMP TABLE _T_FIRST_SEEN AS
WITH facts AS NOT MATERIALIZED (  -- read twice: materialized, it would be read whole, unfiltered
  SELECT RESOURCE_KEY, START_TS AS TS FROM INTERACTION_RESOURCE_FACT
  UNION ALL SELECT MEDIA_RESOURCE_KEY, START_TS FROM INTERACTION_RESOURCE_FACT
  UNION ALL SELECT RESOURCE_KEY, START_TS FROM MEDIATION_SEGMENT_FACT
  UNION ALL SELECT RESOURCE_KEY, START_TS FROM SM_RES_SESSION_FACT
  UNION ALL SELECT MEDIA_RESOURCE_KEY, START_TS FROM SM_RES_SESSION_FACT
)
SELECT RESOURCE_KEY, min(TS) AS TS FROM (
  SELECT * FROM facts WHERE TS >= (SELECT min(FROM_TS) FROM _T_RECOUNT)
  UNION ALL
  SELECT * FROM facts WHERE TS IS NULL
) WHERE RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM _T_RECOUNT) GROUP BY 1;
UPDATE STG_RESOURCE_SEEN AS s SET FIRST_SEEN_TS = f.TS FROM _T_FIRST_SEEN AS f
WHERE f.RESOURCE_KEY = s.RESOURCE_KEY AND s.FIRST_SEEN_TS IS DISTINCT FROM f.TS
