-- model: customer_presence
-- layer: intermediate
-- runs: slice
-- target: _T_CUSTOMER
--
-- When the customer was on each call of the interactions in scope: from the first customer party's
-- creation to the last one's end. CUSTOMER_* measures, abandons and mediation results read it. Info
-- Mart counts CUSTOMER_* measures only while a customer is on the call (GIMPopIRF): a consultation
-- call has no customer, and an internal call's customer is the agent who made it (its originator). A
-- chat or e-mail has no customer party (Interaction Server's ICON records none): its customer is on it
-- from its first party's creation to its last one's end (idbmart's reading, docs/architecture.md).
WITH external AS (
  SELECT SOURCE_NAME, ROOT, CALLID, min(CREATED_TS) AS FROM_TS, max(MEASURED_END_TS) AS LEFT_TS
  FROM _T_PARTY WHERE KIND = 'customer' GROUP BY ALL
)
SELECT * FROM external
UNION ALL
SELECT p.SOURCE_NAME, p.ROOT, p.CALLID, min(p.CREATED_TS), max(p.MEASURED_END_TS)
FROM _T_PARTY AS p ANTI JOIN external AS e ON e.SOURCE_NAME = p.SOURCE_NAME AND e.CALLID = p.CALLID
WHERE p.CALLTYPE = CallType.INTERNAL AND p.PROLE = PartyRole.ORIGINATOR
GROUP BY ALL
UNION ALL
SELECT p.SOURCE_NAME, p.ROOT, p.CALLID, min(p.CREATED_TS), max(p.MEASURED_END_TS)
FROM _T_PARTY AS p ANTI JOIN external AS e ON e.SOURCE_NAME = p.SOURCE_NAME AND e.CALLID = p.CALLID
WHERE p.MEDIATYPE <> MediaType.VOICE
GROUP BY ALL
