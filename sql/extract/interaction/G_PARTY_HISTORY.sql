-- PARTYID is per IDB outside a SIP Cluster: resolved inside the member, through its own G_PARTY.
SELECT c.IRID AS ENTITY_ID
FROM G_PARTY_HISTORY AS t
JOIN G_PARTY AS p ON p.PARTYID = t.PARTYID
JOIN G_CALL AS c ON c.CALLID = p.CALLID
