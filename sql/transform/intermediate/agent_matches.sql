-- model: agent_matches
-- layer: intermediate
-- runs: slice
--
-- How one slice's SIP Cluster agent-DN parties found their agent (the cycle reports the rate).
INSERT INTO _T_AGENT_MATCH SELECT AGENT_MATCH, count(*) FROM _T_IRF
WHERE AGENT_MATCH IN ('recovered', 'ambiguous', 'no_session') GROUP BY 1
