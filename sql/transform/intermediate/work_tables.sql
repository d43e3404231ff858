-- model: work_tables
-- layer: intermediate
-- reads_previous: STG_RESOURCE_SEEN
--
-- What the slices gather, made empty once per cycle: the span of time their interactions cover (for
-- DATE_TIME), the resources their facts met (for RESOURCE_), the SIP Cluster agent recovery outcomes.
CREATE OR REPLACE TEMP TABLE _T_SPAN (LO BIGINT, HI BIGINT);
CREATE OR REPLACE TEMP TABLE _T_SEEN_SLICES AS
  SELECT * RENAME (FIRST_SEEN_TS AS SEEN_TS) FROM STG_RESOURCE_SEEN LIMIT 0;
CREATE OR REPLACE TEMP TABLE _T_AGENT_MATCH (AGENT_MATCH VARCHAR, N BIGINT);
