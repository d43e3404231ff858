-- Helpers of the aggregate SQL (TEMP, per connection), beside the calendar's (sql/transform/calendar.sql:
-- local_time, local_epoch and the local periods of $tz, etl.time_zone).

-- Queue time bucket 1..20 of a duration: bucket n holds (b[n-1], b[n]] of etl.queue_time_buckets_s,
-- bucket 20 everything above the last bound.
CREATE OR REPLACE TEMP MACRO time_bucket(s) AS 1 + len(list_filter($buckets, lambda b: b < s));

-- Agent state time is split exactly at interval boundaries. A state row contributes to every interval
-- from the one it starts in up to the one before its end (its first, even if it lasted no time: it
-- counts as an entry there). The end is capped at max_state_s, as the state facts already are, so
-- that no row can ever reach the far-future sentinel.
CREATE OR REPLACE TEMP MACRO state_end(s, e) AS least(e, s + $max_state_s);
CREATE OR REPLACE TEMP MACRO state_intervals(s, e) AS range(interval_key(s), greatest(state_end(s, e), s + 1), 900);
CREATE OR REPLACE TEMP MACRO state_seconds(s, e, k) AS overlap_s(s, state_end(s, e), k, k + 900);
-- A login session's intervals (AG2_I_SESS_STATE's ACTIVE_TIME): every one it spans once it has ended;
-- while it has not, its first only, the rest being its states' (an open session lasts as long as they do).
CREATE OR REPLACE TEMP MACRO session_intervals(s, e) AS
  range(interval_key(s), CASE WHEN e < $sentinel THEN greatest(e, s + 1) ELSE s + 1 END, 900);

-- Where the rows of an interaction fact (INTERACTION_FACT, INTERACTION_RESOURCE_FACT,
-- MEDIATION_SEGMENT_FACT) of the interactions the cycle's transform changed (_T_TOUCHED) begin: at or
-- after the least rowid its replaces of that fact recorded (_T_TOUCHED_FROM, idbmart.load.merge.replace).
-- A scan from there does not read the whole table's INTERACTION_ID (hashed keys: zone maps skip
-- nothing); where none is recorded, from the first row. (The tables are parameters so that the macros
-- bind when they are used: a recomputation without a transform has neither.)
CREATE OR REPLACE TEMP MACRO touched_from(of_table, marks := '_T_TOUCHED_FROM') AS
  coalesce((SELECT min(FROM_ROW) FROM query_table(marks) WHERE FACT = of_table), 0);
-- Whether an interaction is one the cycle's transform changed.
CREATE OR REPLACE TEMP MACRO touched_interaction(id, touched := '_T_TOUCHED') AS
  id IN (SELECT INTERACTION_ID FROM query_table(touched) WHERE FACT <> 'CONTACT_ATTEMPT_FACT');

-- The rows of a state fact (SM_RES_STATE_FACT, SM_RES_STATE_REASON_FACT: source states;
-- IXN_RESOURCE_STATE_FACT: source handling) in the touched (interval, agent) pairs of _AG_TOUCHED, one
-- per pair, the interval as DATE_TIME_KEY: the touched agents' rows are split into the intervals they
-- span and matched by equality (a range join of the intervals to every agent's rows grows with the
-- day's rows, equality with the touched agents' rows). A row reaches interval k only if it began in
-- (k - max_state_s, k + 900) (state_intervals: from its start's interval to its capped end), so the
-- touched agents' rows of other days are not read: the bound is a time range zone maps skip by.
CREATE OR REPLACE TEMP MACRO touched_state_rows(fact, of_source) AS TABLE
  SELECT *
  FROM (
    SELECT *, unnest(state_intervals(START_TS, END_TS)) AS DATE_TIME_KEY
    FROM query_table(fact)
    WHERE RESOURCE_KEY IN (SELECT RESOURCE_KEY FROM _AG_TOUCHED WHERE SOURCE = of_source)
      AND START_TS > (SELECT min(DATE_TIME_KEY) FROM _AG_TOUCHED WHERE SOURCE = of_source) - $max_state_s
      AND START_TS < (SELECT max(DATE_TIME_KEY) FROM _AG_TOUCHED WHERE SOURCE = of_source) + 900
  )
  WHERE (DATE_TIME_KEY, RESOURCE_KEY) IN (SELECT DATE_TIME_KEY, RESOURCE_KEY FROM _AG_TOUCHED WHERE SOURCE = of_source);
