-- model: campaign_group_session_fact
-- layer: fact
-- target: CAMPAIGN_GROUP_SESSION_FACT
-- key: CAMPAIGN_GROUP_SESSION_FACT_KEY
-- scope: CAMPAIGN_GROUP_SESSION_ID IN (SELECT SESSID FROM _T_CAMPAIGN_SESSION)
--
-- CAMPAIGN_GROUP_SESSION_FACT of the campaign sessions in scope: the rows of
-- campaign_group_session_fact_rows.
SELECT * FROM _T_CGS
