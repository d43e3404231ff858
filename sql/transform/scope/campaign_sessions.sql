-- model: campaign_sessions
-- layer: scope
-- target: _T_CAMPAIGN_SESSION
--
-- The campaign group sessions the HA choice republished this cycle.
SELECT DISTINCT ENTITY_KEY AS SESSID FROM _HA_NEW WHERE ENTITY_KIND = 'campaign_session'
