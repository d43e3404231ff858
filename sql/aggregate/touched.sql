-- The 15-minute intervals this cycle's fact changes touch (_T_TOUCHED: the old and the new version of
-- every fact row inserted, changed or deleted by the transform), and for the sources whose rows belong
-- to one resource (agents, states), which resources' rows of each interval.
--   interactions: the interval each changed IRF, MSF or interaction row starts in (agent measures
--     belong to the interval the interaction was offered, queue measures to the interval it entered the
--     queue, AG2_ID's customer measures to the interval it entered the contact center), and those of
--     every other IRF and MSF of the same interactions and of the interactions themselves, since queue
--     measures read the target IRF and agent-queue measures read the delivering queue;
--   agents: of those, the (interval, RESOURCE_KEY) of each changed IRF, old and new version, and of
--     every IRF of the same interactions (the queue of AG2_AGENT_QUEUE reads the mediation segment):
--     an agent's row reads only that agent's IRFs, and a logout changes one agent's shift of calls;
--   attempts: the interval each changed contact attempt began in, and each attempt whose agent IRF
--     changed (the agent-by-campaign measures are that IRF's: an IRF can change while its attempt
--     does not, its after-call work read at the agent's logout); the attempt was rebuilt in _T_CAF with
--     it (outbound_chains.sql: the chains linked to a call of an interaction in scope);
--   states: every interval a changed agent state or reason row spans (time is split at boundaries),
--     its first one included even if it lasted no time (it counts as an entry there), and every one a
--     changed login session spans (session_intervals), for that row's agent only: a state aggregate row
--     reads its own agent's state and session rows and no other's;
--   handling: the same, for each changed state of a handling attempt (IXN_RESOURCE_STATE_FACT);
-- RESOURCE_KEY is NULL for the other sources: every resource of a touched interval is re-aggregated.
WITH irf AS MATERIALIZED (
  SELECT START_DATE_TIME_KEY, RESOURCE_KEY FROM INTERACTION_RESOURCE_FACT
  WHERE rowid >= touched_from('INTERACTION_RESOURCE_FACT') AND touched_interaction(INTERACTION_ID)
)
SELECT DISTINCT 'interactions' AS SOURCE, interval_key(START_TS) AS DATE_TIME_KEY, NULL::BIGINT AS RESOURCE_KEY
FROM _T_TOUCHED
WHERE FACT IN ('INTERACTION_RESOURCE_FACT', 'MEDIATION_SEGMENT_FACT', 'INTERACTION_FACT')
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM INTERACTION_FACT
WHERE rowid >= touched_from('INTERACTION_FACT') AND touched_interaction(INTERACTION_ID)
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM irf
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM MEDIATION_SEGMENT_FACT
WHERE rowid >= touched_from('MEDIATION_SEGMENT_FACT') AND touched_interaction(INTERACTION_ID)
UNION
SELECT 'agents', interval_key(START_TS), RESOURCE_KEY FROM _T_TOUCHED WHERE FACT = 'INTERACTION_RESOURCE_FACT'
UNION
SELECT 'agents', START_DATE_TIME_KEY, RESOURCE_KEY FROM irf
UNION
SELECT 'attempts', interval_key(START_TS), NULL FROM _T_TOUCHED WHERE FACT = 'CONTACT_ATTEMPT_FACT'
UNION
SELECT 'attempts', START_DATE_TIME_KEY, NULL FROM _T_CAF
WHERE INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_TOUCHED WHERE FACT = 'INTERACTION_RESOURCE_FACT')
UNION
SELECT 'states', unnest(state_intervals(START_TS, END_TS)), RESOURCE_KEY FROM _T_TOUCHED
WHERE FACT IN ('SM_RES_STATE_FACT', 'SM_RES_STATE_REASON_FACT')
UNION
SELECT 'states', unnest(session_intervals(START_TS, END_TS)), RESOURCE_KEY FROM _T_TOUCHED
WHERE FACT = 'SM_RES_SESSION_FACT'
UNION
SELECT 'handling', unnest(state_intervals(START_TS, END_TS)), RESOURCE_KEY FROM _T_TOUCHED
WHERE FACT = 'IXN_RESOURCE_STATE_FACT'
