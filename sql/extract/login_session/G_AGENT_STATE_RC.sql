-- Reason codes name their login session SESSIONID.
SELECT t.SESSIONID AS ENTITY_ID FROM G_AGENT_STATE_RC AS t
