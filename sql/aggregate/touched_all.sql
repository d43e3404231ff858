-- Every interval any fact contributes to: the from-scratch recomputation (first run, changed
-- aggregate settings, `rebuild`), by the same rules as touched.sql.
SELECT DISTINCT 'interactions' AS SOURCE, START_DATE_TIME_KEY AS DATE_TIME_KEY, NULL::BIGINT AS RESOURCE_KEY
FROM INTERACTION_RESOURCE_FACT
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM MEDIATION_SEGMENT_FACT
UNION
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM INTERACTION_FACT
UNION
SELECT 'agents', START_DATE_TIME_KEY, RESOURCE_KEY FROM INTERACTION_RESOURCE_FACT
UNION
-- the user-data keys the AGENT and QUEUE rows are split by: their facts' intervals (already above), read
-- here so that the transform records their changes (a key can change while its fact does not)
SELECT 'interactions', START_DATE_TIME_KEY, NULL FROM IRF_USER_DATA_KEYS
UNION
SELECT 'states', unnest(state_intervals(START_TS, END_TS)), RESOURCE_KEY FROM SM_RES_STATE_FACT
UNION
SELECT 'states', unnest(state_intervals(START_TS, END_TS)), RESOURCE_KEY FROM SM_RES_STATE_REASON_FACT
UNION
SELECT 'states', unnest(session_intervals(START_TS, END_TS)), RESOURCE_KEY FROM SM_RES_SESSION_FACT
UNION
SELECT 'handling', unnest(state_intervals(START_TS, END_TS)), RESOURCE_KEY FROM IXN_RESOURCE_STATE_FACT
UNION
SELECT 'attempts', START_DATE_TIME_KEY, NULL FROM CONTACT_ATTEMPT_FACT
