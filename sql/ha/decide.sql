-- The HA choice for every entity touched this cycle (docs/architecture.md, "HA choice").
-- Inputs: the cycle's _HA_STAGED (every member's version of each entity touched, from STG_ENTITY) and
-- _HA_DECIDED (their decisions so far, from CTL_HA_DECISION, with ROW_ID), both read within the cycle's
-- reach (idbmart/extract/reach.py); CTL_DSS_SESSION (each member's data source sessions); _HA_MEMBER
-- (configured members), _KIND (kind → role).
-- Rule, in order: a member whose version ended beats one whose version is still open (stuck); then
-- a member whose version has rows in every table another member's has (one that lost a table's rows,
-- an IDB whose G_PARTY is empty, or one of whose rows lost a value that did not convert, holds
-- versions without it); then a member whose sessions of the kind's role cover the whole lifetime;
-- then the primary; then the member covering more of it. Coverage is counted in whole seconds over
-- [START_TS, END_TS], the lifetime the members together know, and never before the set's first
-- session of that role.
-- A version's rows are held while its member is chosen (in GIDB_*) and in the run that read it (the
-- work tables, ROWS_READ: an HA set's other member's rows are not read where its primary's version
-- ranks first whatever they hold, idbmart/extract/incremental.py `_judge`), nowhere else
-- (idbmart/extract/stage.py). Where the rule picks a version held nowhere,
-- the held one is chosen for now, REASON kept_until_winner_reread, and AWAIT_SOURCE names the member
-- to read the entity again from (idbmart/ha/choose.py): the choice moves when its rows are back.
-- The output's last five columns tell idbmart/ha/choose.py which decision row to replace (OLD_ROW_ID),
-- which rows to drop when the choice changes: the member chosen before (OLD_SOURCE), the runs that
-- staged the chosen and the old member's versions (STAGED_RUN_ID, OLD_RUN_ID; a version's rows carry
-- its run as EXTRACT_RUN_ID), and AWAIT_SOURCE. An HA set has one or two members (idbmart/config.py),
-- so the old member is the chosen one or the runner-up.
WITH versions AS (
  SELECT e.HA_SET, e.ENTITY_KIND, e.ENTITY_KEY, e.SOURCE_NAME, e.START_TS, e.END_TS, e.STUCK,
         e.RUN_ID AS STAGED_RUN_ID, m.PRIMARY_MEMBER, m.SET_SIZE, k.ROLE, e.TABLES,
         CASE WHEN e.RUN_ID = :run_id THEN e.ROWS_READ ELSE e.SOURCE_NAME IS NOT DISTINCT FROM d.SOURCE_NAME END AS HELD
  FROM _HA_STAGED AS e
  JOIN _HA_MEMBER AS m ON m.SOURCE_NAME = e.SOURCE_NAME AND m.HA_SET = e.HA_SET
  JOIN _KIND AS k USING (ENTITY_KIND)
  LEFT JOIN _HA_DECIDED AS d
    ON d.HA_SET = e.HA_SET AND d.ENTITY_KIND = e.ENTITY_KIND AND d.ENTITY_KEY = e.ENTITY_KEY
),
set_start AS (
  SELECT m.HA_SET, d.ROLE, min(d.START_TS) AS FIRST_TS
  FROM CTL_DSS_SESSION AS d
  JOIN _HA_MEMBER AS m USING (SOURCE_NAME)
  GROUP BY ALL
),
lifetime AS (
  SELECT v.HA_SET, v.ENTITY_KIND, v.ENTITY_KEY,
         greatest(min(v.START_TS), coalesce(min(s.FIRST_TS), min(v.START_TS))) AS L_START,
         coalesce(max(v.END_TS) FILTER (WHERE NOT v.STUCK), min(v.START_TS)) AS L_END_KNOWN,
         bool_and(v.STUCK) AS ALL_STUCK,
         count(*) AS MEMBERS,
         -- the members' versions hold different tables (compared by hash: few sets of tables exist)
         coalesce(min(hash(v.TABLES)) FILTER (WHERE v.TABLES IS NOT NULL)
                  <> max(hash(v.TABLES)) FILTER (WHERE v.TABLES IS NOT NULL), FALSE) AS TABLES_DIFFER
  FROM versions AS v
  LEFT JOIN set_start AS s ON s.HA_SET = v.HA_SET AND s.ROLE = v.ROLE
  GROUP BY ALL
),
all_tables AS (  -- the tables any member's version has, gathered only where the versions differ: lists
                 -- united per entity took 2.5 s over 250k calls' 2 million versions, their hashes 0.3 s
  SELECT v.HA_SET, v.ENTITY_KIND, v.ENTITY_KEY, list_distinct(flatten(list(coalesce(v.TABLES, [])))) AS ALL_TABLES
  FROM versions AS v
  JOIN lifetime AS l USING (HA_SET, ENTITY_KIND, ENTITY_KEY)
  WHERE l.TABLES_DIFFER
  GROUP BY ALL
),
coverage AS (
  SELECT v.HA_SET, v.ENTITY_KIND, v.ENTITY_KEY, v.SOURCE_NAME, v.STUCK, v.STAGED_RUN_ID, v.PRIMARY_MEMBER, v.SET_SIZE,
         v.HELD,
         l.L_START, greatest(l.L_START, l.L_END_KNOWN) AS L_END, l.ALL_STUCK, l.MEMBERS,
         -- a version staged before the tables were recorded (TABLES NULL) is taken as complete
         v.TABLES IS NULL OR a.ALL_TABLES IS NULL
           OR len(list_filter(a.ALL_TABLES, x -> NOT list_contains(v.TABLES, x))) = 0 AS COMPLETE,
         -- FILTER: no session, no cover (greatest/least skip NULLs: unfiltered, a version without a session
         -- in its lifetime counted it whole)
         coalesce(sum(greatest(0, least(greatest(l.L_START, l.L_END_KNOWN) + 1, d.COVERED_TO_TS)
                                  - greatest(l.L_START, d.START_TS))) FILTER (WHERE d.START_TS IS NOT NULL),
                  0)::BIGINT AS COVERED_S
  FROM versions AS v
  JOIN lifetime AS l USING (HA_SET, ENTITY_KIND, ENTITY_KEY)
  LEFT JOIN all_tables AS a USING (HA_SET, ENTITY_KIND, ENTITY_KEY)
  LEFT JOIN CTL_DSS_SESSION AS d
    ON d.SOURCE_NAME = v.SOURCE_NAME AND d.ROLE = v.ROLE
   AND d.START_TS <= greatest(l.L_START, l.L_END_KNOWN) AND d.COVERED_TO_TS > l.L_START
  GROUP BY ALL
),
-- The versions by the rule (RULE_RANK), and by it among the versions held (RANK: one is, a member
-- delivered the entity in this run), in one pass over the versions.
ranked AS (
  SELECT *,
         COVERED_S >= L_END + 1 - L_START AS FULL_COVER,
         row_number() OVER by_rule AS RULE_RANK,
         row_number() OVER (
           PARTITION BY HA_SET, ENTITY_KIND, ENTITY_KEY
           ORDER BY HELD DESC, STUCK, COMPLETE DESC, COVERED_S >= L_END + 1 - L_START DESC, PRIMARY_MEMBER DESC,
                    COVERED_S DESC, SOURCE_NAME
         ) AS RANK,
         CASE WHEN NOT first_value(HELD) OVER by_rule THEN first_value(SOURCE_NAME) OVER by_rule END AS AWAIT_SOURCE
  FROM coverage
  WINDOW by_rule AS (
    PARTITION BY HA_SET, ENTITY_KIND, ENTITY_KEY
    ORDER BY STUCK, COMPLETE DESC, COVERED_S >= L_END + 1 - L_START DESC, PRIMARY_MEMBER DESC, COVERED_S DESC, SOURCE_NAME
  )
),
others AS (
  SELECT HA_SET, ENTITY_KIND, ENTITY_KEY,
         any_value(STUCK) FILTER (WHERE RANK = 2) AS R_STUCK,
         any_value(COMPLETE) FILTER (WHERE RANK = 2) AS R_COMPLETE,
         any_value(FULL_COVER) FILTER (WHERE RANK = 2) AS R_FULL,
         any_value(COVERED_S) FILTER (WHERE RANK = 2) AS R_COVERED_S,
         any_value(SOURCE_NAME) FILTER (WHERE RANK = 2) AS R_SOURCE,
         any_value(STAGED_RUN_ID) FILTER (WHERE RANK = 2) AS R_RUN_ID,
         -- by SOURCE_NAME, the structs' first field (list_sort: an ordered aggregate sorts per group, 3x slower)
         list_sort(list(struct_pack(SOURCE_NAME := SOURCE_NAME, PRIMARY_MEMBER := PRIMARY_MEMBER,
                                    TERMINATED := NOT STUCK, COVERED_S := COVERED_S))) AS CANDIDATES
  FROM ranked
  GROUP BY HA_SET, ENTITY_KIND, ENTITY_KEY
),
paired AS (
  SELECT c.*, o.R_STUCK, o.R_COMPLETE, o.R_FULL, o.R_COVERED_S, o.R_SOURCE, o.R_RUN_ID, o.CANDIDATES
  FROM ranked AS c
  JOIN others AS o USING (HA_SET, ENTITY_KIND, ENTITY_KEY)
  WHERE c.RANK = 1
)
SELECT
  p.HA_SET, p.ENTITY_KIND, p.ENTITY_KEY, p.SOURCE_NAME,
  CASE
    WHEN p.AWAIT_SOURCE IS NOT NULL THEN 'kept_until_winner_reread'
    WHEN p.SET_SIZE = 1 THEN 'single_member_set'
    WHEN p.MEMBERS = 1 THEN 'only_member_holding_it'
    WHEN NOT p.STUCK AND p.R_STUCK THEN 'only_member_that_saw_it_end'
    WHEN p.COMPLETE AND NOT p.R_COMPLETE THEN 'only_member_with_all_its_tables'
    WHEN p.FULL_COVER AND NOT p.R_FULL THEN 'only_member_covering_it'
    WHEN p.FULL_COVER THEN 'both_cover_primary'
    WHEN p.COVERED_S > p.R_COVERED_S THEN 'covers_more'
    ELSE 'neither_covers_primary'
  END AS REASON,
  p.L_START AS START_TS,
  p.L_END AS END_TS,
  p.STUCK AS STUCK_FLAG,
  p.MEMBERS,
  p.CANDIDATES,
  CASE WHEN o.SOURCE_NAME <> p.SOURCE_NAME THEN o.SOURCE_NAME END AS PREV_SOURCE,
  :run_id AS RUN_ID,
  -- Not kept in CTL_HA_DECISION (see the header).
  o.ROW_ID AS OLD_ROW_ID,
  o.SOURCE_NAME AS OLD_SOURCE,
  p.STAGED_RUN_ID,
  CASE o.SOURCE_NAME WHEN p.SOURCE_NAME THEN p.STAGED_RUN_ID WHEN p.R_SOURCE THEN p.R_RUN_ID END AS OLD_RUN_ID,
  p.AWAIT_SOURCE
FROM paired AS p
LEFT JOIN _HA_DECIDED AS o USING (HA_SET, ENTITY_KIND, ENTITY_KEY)
