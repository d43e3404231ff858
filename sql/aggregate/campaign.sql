-- family: CAMPAIGN
-- source: attempts
-- grain: CAMPAIGN_GROUP_KEY, CAMPAIGN_KEY, GROUP_KEY, CALLING_LIST_KEY, DIALING_MODE_KEY, TENANT_KEY
--
-- AG2_CAMPAIGN_SUBHR: dial attempts per campaign group, campaign, agent group, calling list and
-- dialing mode, in the interval the attempt began: how many; how they ended, by call result type
-- (CALL_RESULT.CALL_RESULT_TYPE; OTHER also counts attempts without a result); how many produced a
-- call and how many reached an agent; and the seconds spent in attempts, dialling, and talking with
-- the customers reached.
SELECT
  c.START_DATE_TIME_KEY AS DATE_TIME_KEY,
  coalesce(c.CAMPAIGN_GROUP_KEY, -1) AS CAMPAIGN_GROUP_KEY,
  coalesce(c.CAMPAIGN_KEY, -1) AS CAMPAIGN_KEY,
  coalesce(c.GROUP_KEY, -1) AS GROUP_KEY,
  coalesce(c.CALLING_LIST_KEY, -1) AS CALLING_LIST_KEY,
  coalesce(c.DIALING_MODE_KEY, -1) AS DIALING_MODE_KEY,
  coalesce(c.TENANT_KEY, -1) AS TENANT_KEY,
  count(*) AS ATTEMPTS,
  count(*) FILTER (r.CALL_RESULT_TYPE = 'CONNECT') AS CONNECTS,
  count(*) FILTER (r.CALL_RESULT_TYPE = 'MACHINE') AS MACHINES,
  count(*) FILTER (r.CALL_RESULT_TYPE = 'NO_CONTACT') AS NO_CONTACTS,
  count(*) FILTER (r.CALL_RESULT_TYPE = 'BAD_NUMBER') AS BAD_NUMBERS,
  count(*) FILTER (r.CALL_RESULT_TYPE = 'ERROR') AS ERRORS,
  count(*) FILTER (r.CALL_RESULT_TYPE = 'CANCELLED') AS CANCELLED,
  count(*) FILTER (r.CALL_RESULT_TYPE IS NULL OR r.CALL_RESULT_TYPE = 'OTHER') AS OTHER_RESULTS,
  count(c.MEDIA_SERVER_IXN_GUID) AS CALLS,
  count(c.INTERACTION_RESOURCE_ID) AS ENGAGED,
  coalesce(sum(c.ATTEMPT_DURATION), 0)::BIGINT AS ATTEMPT_TIME,
  coalesce(sum(c.DIAL_DURATION), 0)::BIGINT AS DIAL_TIME,
  coalesce(sum(c.ENGAGE_DURATION), 0)::BIGINT AS ENGAGE_TIME
FROM CONTACT_ATTEMPT_FACT AS c
LEFT JOIN CALL_RESULT AS r USING (CALL_RESULT_KEY)
WHERE c.START_DATE_TIME_KEY IN (SELECT DATE_TIME_KEY FROM _AG_TOUCHED WHERE SOURCE = 'attempts')
GROUP BY ALL
