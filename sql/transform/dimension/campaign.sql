-- model: campaign
-- layer: dimension
-- target: CAMPAIGN
-- key: CAMPAIGN_KEY
--
-- CAMPAIGN: the campaigns of outbound_dimension_rows.
SELECT KEY AS CAMPAIGN_KEY, TENANT_KEY, NAME AS CAMPAIGN_NAME, DBID AS CAMPAIGN_CFG_DBID, CONFIGURED_FLAG,
       START_TS, END_TS
FROM _T_OB_DIM WHERE KIND = 'campaign'
