-- family: I_AGENT
-- source: handling
-- grain: RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY
--
-- AG2_I_AGENT_SUBHR: per agent, the seconds of each interval spent handling interactions, by the
-- states of its handling attempts (IXN_RESOURCE_STATE_FACT) split exactly at the interval's
-- boundaries, as they happened: RAA's interval-based agent aggregate (AGT_I_AGENT), where AG2_AGENT
-- files a whole attempt in the interval it was offered. ENGAGE_TIME: connected; HOLD_TIME; WRAP_TIME:
-- after-call work; INVITE_TIME: ringing or dialing. ENGAGE: the attempts connected in the interval.
WITH s AS (
  SELECT f.DATE_TIME_KEY, f.RESOURCE_KEY, coalesce(f.TENANT_KEY, -1) AS TENANT_KEY,
         coalesce(f.MEDIA_TYPE_KEY, -1) AS MEDIA_TYPE_KEY, coalesce(f.INTERACTION_TYPE_KEY, -1) AS INTERACTION_TYPE_KEY,
         r.STATE_NAME_CODE AS STATE, state_seconds(f.START_TS, f.END_TS, f.DATE_TIME_KEY) AS SECONDS,
         interval_key(f.START_TS) = f.DATE_TIME_KEY AS ENTERED
  FROM touched_state_rows('IXN_RESOURCE_STATE_FACT', 'handling') AS f
  JOIN INTERACTION_RESOURCE_STATE AS r USING (INTERACTION_RESOURCE_STATE_KEY)
  -- agents' attempts only. A state row carries its IRF's RESOURCE_KEY, which is an agent exactly where the
  -- IRF's AGENT_MATCH is reported or recovered (interaction_resource_fact_rows.sql): the resource's type
  -- says so without a join to every IRF of the mart (hashed ids: zone maps would skip none).
  JOIN RESOURCE_ AS a ON a.RESOURCE_KEY = f.RESOURCE_KEY AND a.RESOURCE_TYPE_CODE = 'AGENT'
)
SELECT
  DATE_TIME_KEY, RESOURCE_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
  coalesce(sum(SECONDS) FILTER (STATE = 'CONNECT'), 0)::BIGINT AS ENGAGE_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'HOLD'), 0)::BIGINT AS HOLD_TIME,
  coalesce(sum(SECONDS) FILTER (STATE = 'WRAP'), 0)::BIGINT AS WRAP_TIME,
  coalesce(sum(SECONDS) FILTER (STATE IN ('ALERT', 'INITIATE')), 0)::BIGINT AS INVITE_TIME,
  count(*) FILTER (ENTERED AND STATE = 'CONNECT')::BIGINT AS ENGAGE
FROM s
GROUP BY ALL
