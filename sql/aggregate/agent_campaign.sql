-- family: AGENT_CAMPAIGN
-- source: attempts
-- grain: RESOURCE_KEY, CAMPAIGN_KEY, CAMPAIGN_GROUP_KEY, TENANT_KEY
--
-- AG2_AGENT_CAMPAIGN_SUBHR: per agent and campaign, the dial attempts that reached the agent
-- (CONTACT_ATTEMPT_FACT's first agent IRF), in the interval the attempt began, with the agent's time
-- on them: RAA's agent-by-campaign aggregate (AGT_AGENT_CAMPAIGN). ACCEPTED: the agent talked with the
-- customer; the times are the customer's seconds on the agent's IRF.
SELECT
  c.START_DATE_TIME_KEY AS DATE_TIME_KEY,
  c.RESOURCE_KEY,
  coalesce(c.CAMPAIGN_KEY, -1) AS CAMPAIGN_KEY,
  coalesce(c.CAMPAIGN_GROUP_KEY, -1) AS CAMPAIGN_GROUP_KEY,
  coalesce(c.TENANT_KEY, -1) AS TENANT_KEY,
  count(*)::BIGINT AS OFFERED,
  count(*) FILTER (i.CUSTOMER_HANDLE_COUNT > 0)::BIGINT AS ACCEPTED,
  coalesce(sum(i.CUSTOMER_RING_DURATION + i.CUSTOMER_DIAL_DURATION), 0)::BIGINT AS INVITE_TIME,
  coalesce(sum(i.CUSTOMER_TALK_DURATION), 0)::BIGINT AS ENGAGE_TIME,
  coalesce(sum(i.CUSTOMER_HOLD_DURATION), 0)::BIGINT AS HOLD_TIME,
  coalesce(sum(i.CUSTOMER_ACW_DURATION), 0)::BIGINT AS WRAP_TIME
FROM CONTACT_ATTEMPT_FACT AS c
JOIN INTERACTION_RESOURCE_FACT AS i USING (INTERACTION_RESOURCE_ID)
WHERE c.RESOURCE_KEY IS NOT NULL
  AND c.START_DATE_TIME_KEY IN (SELECT DATE_TIME_KEY FROM _AG_TOUCHED WHERE SOURCE = 'attempts')
GROUP BY ALL
