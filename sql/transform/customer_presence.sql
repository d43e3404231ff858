-- When the customer was on each call of the interactions in scope: from the first customer party's
-- creation to the last one's end. CUSTOMER_* measures, abandons and mediation results read it.
SELECT SOURCE_NAME, ROOT, CALLID, min(CREATED_TS) AS FROM_TS, max(MEASURED_END_TS) AS LEFT_TS
FROM _T_PARTY WHERE KIND = 'customer' GROUP BY ALL
