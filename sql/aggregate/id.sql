-- family: ID
-- source: interactions
-- grain: INTERACTION_DESCRIPTOR_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY
--
-- AG2_ID_SUBHR: the agent measures per interaction descriptor (customer segment, service type,
-- service subtype, business result from user data). RAA's View-AG2_ID_HOUR: the customer measures go
-- to the interval the interaction entered the contact center (INTERACTION_FACT's start), the received
-- and initiated consultations' to the interval the consultation was offered to the agent.
WITH parts AS (
  SELECT ENTRY_DATE_TIME_KEY AS DATE_TIME_KEY, INTERACTION_DESCRIPTOR_KEY, TENANT_KEY, MEDIA_TYPE_KEY,
         INTERACTION_TYPE_KEY, COLUMNS(lambda c: c LIKE 'M\_%' ESCAPE '\' AND c NOT LIKE 'M\_CONSULT\_%' ESCAPE '\')
  FROM _AG_IRF
  UNION ALL BY NAME
  SELECT DATE_TIME_KEY, INTERACTION_DESCRIPTOR_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
         COLUMNS(lambda c: c LIKE 'M\_CONSULT\_%' ESCAPE '\')
  FROM _AG_IRF
)
SELECT DATE_TIME_KEY, INTERACTION_DESCRIPTOR_KEY, TENANT_KEY, MEDIA_TYPE_KEY, INTERACTION_TYPE_KEY,
       coalesce(sum(COLUMNS('^M_(.*)$')), 0)::BIGINT AS '\1'
FROM parts
WHERE DATE_TIME_KEY IN (SELECT DATE_TIME_KEY FROM _AG_TOUCHED WHERE SOURCE = 'interactions')
GROUP BY ALL
