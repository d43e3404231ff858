-- The share of SIP Cluster agent-DN parties whose agent was recovered from the login sessions,
-- among the parties that can be judged: those whose DN has a login session that ended at or after
-- the party began, or is still open (its END_TS the sentinel). A session is read at its login, and a
-- DN's sessions are in one IDB, read in the order ICON wrote them: once a session on the DN that did
-- not end before the party is known, the one that covered the party, if any, is known too. Rows in
-- scope only: a cycle's gate judges the parties the cycle wrote.
WITH parties AS (
  SELECT i.INTERACTION_RESOURCE_ID, i.AGENT_MATCH
  FROM INTERACTION_RESOURCE_FACT AS i
  WHERE i.AGENT_MATCH IN ('recovered', 'ambiguous', 'no_session')
    AND i.UPDATE_AUDIT_KEY >= $qa_from_audit_key
    AND EXISTS (SELECT 1 FROM SM_RES_SESSION_FACT AS s
                WHERE s.MEDIA_RESOURCE_KEY = i.MEDIA_RESOURCE_KEY AND s.END_TS >= i.START_TS)
)
SELECT
  CASE WHEN $qa_from_audit_key > 0 THEN 'rows written by this cycle' ELSE 'all rows' END AS SCOPE,
  count(*) AS PARTIES,
  count(*) FILTER (AGENT_MATCH = 'recovered') AS RECOVERED,
  round(count(*) FILTER (AGENT_MATCH = 'recovered') / count(*), 3) AS RECOVERY_RATE
FROM parties
HAVING count(*) > 0
