-- The 15-minute intervals this cycle's fact changes touch (_T_TOUCHED: the old and the new version of
-- every fact row inserted, changed or deleted by the transform).
--   interactions: the interval each changed IRF or MSF row starts in (agent measures belong to the
--     interval the interaction was offered, queue measures to the interval it entered the queue), and
--     those of every other IRF and MSF of the same interactions, since queue measures read the target
--     IRF and agent-queue measures read the delivering queue;
--   attempts: the interval each changed contact attempt began in;
--   states: every interval a changed agent state or reason row spans (time is split at boundaries),
--     its first one included even if it lasted no time (it counts as an entry there), for that row's
--     agent only (RESOURCE_KEY): a state aggregate row reads its own agent's state rows and no other's,
--     and an agent logging out changes a whole shift of intervals for that agent alone.
-- RESOURCE_KEY is NULL for the other sources: every resource of a touched interval is re-aggregated.
SELECT DISTINCT 'interactions' AS SOURCE, interval_key(START_TS) AS DATE_TIME_KEY, NULL::BIGINT AS RESOURCE_KEY
FROM _T_TOUCHED
WHERE FACT IN ('INTERACTION_RESOURCE_FACT', 'MEDIATION_SEGMENT_FACT')
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM INTERACTION_RESOURCE_FACT
WHERE INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_TOUCHED WHERE FACT <> 'CONTACT_ATTEMPT_FACT')
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM MEDIATION_SEGMENT_FACT
WHERE INTERACTION_ID IN (SELECT INTERACTION_ID FROM _T_TOUCHED WHERE FACT <> 'CONTACT_ATTEMPT_FACT')
UNION
SELECT 'attempts', interval_key(START_TS), NULL FROM _T_TOUCHED WHERE FACT = 'CONTACT_ATTEMPT_FACT'
UNION
SELECT 'states', unnest(state_intervals(START_TS, END_TS)), RESOURCE_KEY FROM _T_TOUCHED
WHERE FACT IN ('SM_RES_STATE_FACT', 'SM_RES_STATE_REASON_FACT')
