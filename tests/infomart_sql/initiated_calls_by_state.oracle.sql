-- dialect: oracle
-- follows: the calls agents initiated (consultations, transfers, outbound), found through the interaction
--   resource state fact (the Oracle shell report of routing_targets_groups_user_data.oracle.sql)
SELECT irf.INTERACTION_ID, ixrsf.TARGET_ADDRESS, irf.INTERACTION_RESOURCE_ID
FROM INTERACTION_RESOURCE_FACT irf
INNER JOIN IXN_RESOURCE_STATE_FACT ixrsf ON ixrsf.INTERACTION_RESOURCE_ID = irf.INTERACTION_RESOURCE_ID
INNER JOIN INTERACTION_RESOURCE_STATE irs ON irs.INTERACTION_RESOURCE_STATE_KEY = ixrsf.INTERACTION_RESOURCE_STATE_KEY
WHERE irs.STATE_NAME = 'Initiate' AND irs.STATE_ROLE = 'Initiator'
