-- model: interaction_roots
-- layer: scope
-- target: _T_IXN_ROOTS
--
-- The interactions this cycle rebuilds, as found (interactions.sql finishes them): ROOT, each an
-- interaction's first IR (GIMPopIRF: one INTERACTION_FACT per root); RUN_ID, the least run of the IRs
-- that continue it (NULL: it was found itself, not up a chain); START_TS, its earliest plausible call
-- where it was found itself.
--
-- Roots are found from what the cycle touched: those the HA choice republished, those a virtual-queue
-- stay or a gud-only IDB's user data of theirs arrived for, and those with a party a republished login
-- session may decide the agent or after-call work of (late agent data). An IR that continues another's
-- interaction (ixn_parents: a consultation ICON gave an IR of its own, a call that came in from another
-- site) is a part of that interaction, up to its first IR: that interaction is rebuilt, once the IR it
-- continues is loaded.
--
-- It reads what the cycle touched, not the days GIDB keeps (a look-up by CALLID or ENTITY_KEY alone
-- reads the whole key column: DuckDB uses no index for a join, and call UUIDs give zone maps nothing to
-- skip). The bounds, each a rule of the data (docs/architecture.md, "Scope"):
--   * a stay's or user data's call began at most $stuck_s before them (and $bound_slack_s of clocks):
--     a call still going on that long after it began was stuck by then; a stuck interaction still open
--     is found by its root CALLID among the open versions (STG_ENTITY_OPEN);
--   * a party a session decides was alerted (agent_recovery.sql) or ended (after_call_work.sql) within
--     the session, and a party lasting longer than $stuck_s is stuck: it began no earlier than the
--     session's start less $stuck_s (and $tol);
--   * every GIDB row of an interaction carries the run that staged it (EXTRACT_RUN_ID: one HA set records
--     a call, and its chosen version is staged whole by one run), and each root is found through such a
--     row or the version the HA choice republished: its calls are read from the earliest of those runs
--     on (runs are appended in order; the open versions' runs apart, being old).
WITH RECURSIVE named AS MATERIALIZED (  -- the calls the cycle's stays and gud-only user data name, and when
  SELECT split_part(ENTITY_KEY, '|', 1) AS CALLID, START_TS FROM _HA_NEW WHERE ENTITY_KIND = 'vq_stay'
  UNION ALL
  SELECT ENTITY_KEY, START_TS FROM _HA_NEW WHERE ENTITY_KIND = 'call_userdata'
),
entity AS MATERIALIZED (  -- each root found, with the run of the GIDB rows it was found by
  SELECT ENTITY_KEY AS ROOT, STAGED_RUN_ID AS RUN_ID, FALSE AS OPEN FROM _HA_NEW WHERE ENTITY_KIND = 'interaction'
  UNION
  SELECT c.ENTITY_KEY, c.EXTRACT_RUN_ID, FALSE FROM named AS n JOIN GIDB_G_CALL AS c
    ON c.CALLID = n.CALLID AND c.CREATED_TS >= n.START_TS - $stuck_s - $bound_slack_s
  UNION  -- a call or a stay without a plausible time: no bound
  SELECT c.ENTITY_KEY, c.EXTRACT_RUN_ID, FALSE FROM named AS n JOIN GIDB_G_CALL AS c ON c.CALLID = n.CALLID
  WHERE c.CREATED_TS IS NULL OR NOT plausible_ts(c.CREATED_TS)
  UNION
  SELECT c.ENTITY_KEY, c.EXTRACT_RUN_ID, FALSE FROM (SELECT * FROM named WHERE NOT plausible_ts(START_TS) OR START_TS IS NULL) AS n
  JOIN GIDB_G_CALL AS c ON c.CALLID = n.CALLID
  UNION
  SELECT o.ENTITY_KEY, o.RUN_ID, TRUE FROM named AS n JOIN STG_ENTITY_OPEN AS o
    ON o.ENTITY_KIND = 'interaction' AND o.ENTITY_KEY = n.CALLID
  UNION
  SELECT p.ENTITY_KEY, p.EXTRACT_RUN_ID, FALSE FROM _T_SESSION AS s JOIN GIDB_G_PARTY AS p
    ON p.SWITCHID = s.SWITCHID AND p.ENDPOINTDN = s.DN
   AND p.CREATED_TS <= s.END_TS + $tol AND p.TERMINATED_TS >= s.START_TS - $tol
   AND p.CREATED_TS >= s.START_TS - $tol - $stuck_s
  UNION
  SELECT p.ENTITY_KEY, p.EXTRACT_RUN_ID, FALSE FROM _T_SESSION AS s JOIN GIDB_G_PARTY AS p
    ON p.AGENTID = s.AGENTID
   AND p.CREATED_TS <= s.END_TS + $tol AND p.TERMINATED_TS >= s.START_TS - $tol
   AND p.CREATED_TS >= s.START_TS - $tol - $stuck_s
),
first_call AS MATERIALIZED (  -- each root's earliest call: FIRST_TS as recorded, START_TS the earliest plausible
  SELECT ENTITY_KEY AS ROOT, min(CREATED_TS) AS FIRST_TS, min(CREATED_TS) FILTER (plausible_ts(CREATED_TS)) AS START_TS
  FROM (
    SELECT ENTITY_KEY, CREATED_TS FROM GIDB_G_CALL
    WHERE EXTRACT_RUN_ID >= bound_from((SELECT min(RUN_ID) FROM entity WHERE NOT OPEN))
      AND ENTITY_KEY IN (SELECT ROOT FROM entity WHERE NOT OPEN)
    UNION ALL
    SELECT ENTITY_KEY, CREATED_TS FROM GIDB_G_CALL
    WHERE EXTRACT_RUN_ID IN (SELECT RUN_ID FROM entity WHERE OPEN) AND ENTITY_KEY IN (SELECT ROOT FROM entity WHERE OPEN)
  )
  GROUP BY ENTITY_KEY
),
parent AS MATERIALIZED (  -- from the roots' earliest call less $stuck_s; from the start where a root's is unknown
  SELECT * FROM ixn_parents((
    SELECT CASE WHEN count(*) = count(f.FIRST_TS) THEN min(f.FIRST_TS) - $stuck_s ELSE least(0, min(f.FIRST_TS)) END
    FROM (SELECT DISTINCT ROOT FROM entity) AS e LEFT JOIN first_call AS f USING (ROOT)
  ))
),
up(ENTITY_KEY, ROOT, RUN_ID, DEPTH) AS (  -- each entity's chain of parents, up to the interaction's first IR
  SELECT DISTINCT ROOT, ROOT, NULL::BIGINT, 0 FROM entity
  UNION ALL
  SELECT u.ENTITY_KEY, p.PARENT, p.PARENT_RUN_ID, u.DEPTH + 1 FROM up AS u JOIN parent AS p ON p.CHILD = u.ROOT
  WHERE u.DEPTH < 32
),
top AS MATERIALIZED (
  SELECT ENTITY_KEY, arg_max(ROOT, DEPTH) AS ROOT, arg_max(RUN_ID, DEPTH) AS RUN_ID FROM up GROUP BY ENTITY_KEY
)
SELECT t.ROOT, min(t.RUN_ID) AS RUN_ID, any_value(f.START_TS) AS START_TS
FROM top AS t LEFT JOIN first_call AS f USING (ROOT)
GROUP BY t.ROOT
