-- model: campaign_group
-- layer: dimension
-- target: CAMPAIGN_GROUP
-- key: CAMPAIGN_GROUP_KEY
--
-- CAMPAIGN_GROUP: the campaign groups of outbound_dimension_rows.
SELECT KEY AS CAMPAIGN_GROUP_KEY, TENANT_KEY, NAME AS CAMPAIGN_GROUP_NAME, DBID AS CAMPAIGN_GROUP_CFG_DBID, CAMPAIGN_KEY, GROUP_KEY, CONFIGURED_FLAG,
       START_TS, END_TS
FROM _T_OB_DIM WHERE KIND = 'campaign_group'
