-- model: party
-- layer: intermediate
-- runs: slice
-- target: _T_PARTY
--
-- Every party of the interactions in scope, classified, with the times the facts need. A party is
-- identified across HA members and runs by its call, DN and creation time (PARTYID is per IDB
-- outside a SIP Cluster), which gives its IRF_ID.
--   KIND: customer (an external party), mediation (routing point, ACD or virtual queue; for multimedia an
--   interaction queue, workbin or routing strategy: it routed or queued the interaction), ivr
--   (treatment), dn (an agent's DN or any other internal DN; for multimedia the agent's place, its agent
--   reported in AGENTID). ICON's G_PARTY.TYPE names the multimedia parties (Table-G_PARTY).
--   HANDLING_IRF_ID: the INTERACTION_RESOURCE_ID of the handling attempt the party belongs to (GIMPopIRF:
--   one IRF per resource per attempt). A consultation's receiver who takes the main call over when the
--   consultation is transferred or conferenced goes on in its consultation's attempt; any other party
--   is an attempt of its own.
--   ACTIVE_FLAG: a chat's or e-mail's party still open when read (the interaction is active, never
--   stuck); STUCK_FLAG then holds for calls only.
--   FAMILY: the IRF measures its states count in (Info Mart's families are disjoint, DBCompatibility
--   VOICE_IXN_FACT_EXT): MAIN (DIAL_, RING_, TALK_, HOLD_), CONS_INIT (the consultation's initiator),
--   CONS_RCV (its receiver), POST_CONS_XFER (the receiver after the transfer), CONF_JOIN (a conference
--   member). A conference its initiator leaves within etl.introduced_transfer_threshold_s is a transfer
--   (Info Mart's introduced-transfer-threshold, GIMVoxIxnFlow-FWKIn): INTRODUCED_TRANSFER.
WITH history AS (
  SELECT
    SOURCE_NAME, PARTYID,
    bool_or(STATE IN (PartyState.QUEUED, PartyState.ROUTING)) AS MEDIATED,
    bool_or(STATE = PartyState.ROUTING) AND NOT bool_or(STATE = PartyState.QUEUED) AS ROUTED_ONLY,
    bool_or(STATE = PartyState.TREATMENT) AS TREATED,
    min(ADDED_TS) FILTER (STATE IN (PartyState.DIALING, PartyState.RINGING, PartyState.CONNECTED)) AS ALERT_TS,
    min(ADDED_TS) FILTER (plausible_ts(ADDED_TS)) AS FIRST_TS,
    max(ADDED_TS) AS LAST_TS,
    min(ADDED_TS) FILTER (STATE = PartyState.CONNECTED) AS ANSWER_TS,
    arg_max(STATE, (PSEQ, ADDED_TS)) FILTER (CHANGETYPE <> PartyChangeType.TERMINATED AND STATE <> PartyState.RELEASED) AS LAST_STATE
  FROM GIDB_G_PARTY_HISTORY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(ADDED_TS, $ixn_from)
  GROUP BY ALL
),
-- The scope's parties and calls first (MATERIALIZED): left to itself DuckDB joined all of GIDB_G_PARTY
-- to all of GIDB_G_CALL and filtered the scope after (22:00 of the 1M day: 3.3 million rows joined
-- for 87 thousand kept).
-- A party or call an IDB holds twice with other content is taken from its latest row (GSYS_SEQ); the
-- others are discards (discards.sql): one row per party and call, never facts multiplied. The party's
-- latest row is found by its rowid, then read whole: taking the latest of every column at once (what
-- DuckDB makes of `QUALIFY row_number() ... = 1`) cost half of this model at 250k calls. The scope's
-- filters stand outside too: they let the whole-row scan skip row groups.
party AS MATERIALIZED (
  SELECT * FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND (in_ixn_time(CREATED_TS, $ixn_from) OR NOT plausible_ts(CREATED_TS))
    AND rowid IN (
      SELECT arg_max_nulls_last(rowid, GSYS_SEQ) FROM GIDB_G_PARTY
      WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND (in_ixn_time(CREATED_TS, $ixn_from) OR NOT plausible_ts(CREATED_TS))
        AND (TERMINATED_TS >= CREATED_TS OR TERMINATED_TS IS NULL OR NOT plausible_ts(CREATED_TS))
      GROUP BY SOURCE_NAME, PARTYID
    )
),
begun AS (  -- a party created at an implausible time begins with its first state; one with no end, or an
            -- implausible one, ends with its last (discards.sql)
  SELECT p.* REPLACE (
    b.CREATED_TS AS CREATED_TS,
    coalesce(CASE WHEN plausible_end(b.CREATED_TS, p.TERMINATED_TS, p.STUCK_FLAG) THEN p.TERMINATED_TS END,
             greatest(h.LAST_TS, b.CREATED_TS), b.CREATED_TS) AS TERMINATED_TS)
  FROM party AS p LEFT JOIN history AS h ON h.SOURCE_NAME = p.SOURCE_NAME AND h.PARTYID = p.PARTYID,
  LATERAL (SELECT CASE WHEN plausible_ts(p.CREATED_TS) THEN p.CREATED_TS
                       ELSE coalesce(h.FIRST_TS, p.TERMINATED_TS) END AS CREATED_TS) AS b
),
call AS MATERIALIZED (
  SELECT HA_SET, ENTITY_KEY, CALLID, CALLTYPE, PARENTCALLID, coalesce(MEDIATYPE, MediaType.VOICE) AS MEDIATYPE
  FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND (in_ixn_time(CREATED_TS, $ixn_from) OR NOT plausible_ts(CREATED_TS))
  QUALIFY row_number() OVER (PARTITION BY HA_SET, ENTITY_KEY, CALLID ORDER BY GSYS_SEQ DESC) = 1
),
configured_dn AS (
  SELECT ENDPOINTID, TYPE FROM GIDB_GC_ENDPOINT
  QUALIFY row_number() OVER (PARTITION BY ENDPOINTID ORDER BY CREATED_TS DESC) = 1
),
classified AS MATERIALIZED (
  SELECT
    e.ROOT, p.HA_SET, p.SOURCE_NAME, p.PARTYID, p.PARENTPARTYID, p.PARTYGUID, p.CALLID,
    c.CALLTYPE, c.PARENTCALLID, c.MEDIATYPE,
    p.TYPE, p.PROLE, p.ENDPOINTDN, p.ENDPOINTID, p.SWITCHID, p.TENANTID,
    nullif(p.AGENTID, 0) AS REPORTED_AGENTID,
    src.SIP_CLUSTER,
    p.CREATED_TS,
    -- a stuck party ends at the sentinel; its measures stop max_call_duration_s after it began. A chat's
    -- or e-mail's open party is active, never stuck (an e-mail may wait days): it ends at the sentinel
    -- too, and its measures stop at its last state change (its open state counts once it ends).
    CASE WHEN p.STUCK_FLAG AND c.MEDIATYPE <> MediaType.VOICE THEN greatest(p.CREATED_TS, h.LAST_TS)
         WHEN p.STUCK_FLAG THEN least(p.TERMINATED_TS, p.CREATED_TS + $max_call_s)
         ELSE p.TERMINATED_TS END AS MEASURED_END_TS,
    p.TERMINATED_TS,
    p.STUCK_FLAG AND c.MEDIATYPE = MediaType.VOICE AS STUCK_FLAG,
    p.STUCK_FLAG AND c.MEDIATYPE <> MediaType.VOICE AS ACTIVE_FLAG,
    h.ALERT_TS, h.ANSWER_TS, h.LAST_STATE,
    CASE
      WHEN p.TYPE = PartyType.PLACE THEN 'dn'
      WHEN p.TYPE IN (PartyType.INTERACTION_QUEUE, PartyType.WORKBIN, PartyType.ROUTING_STRATEGY) THEN 'mediation'
      -- a type the contract does not know: internal where an agent or a configured DN says so (discards.sql)
      WHEN p.TYPE <> PartyType.INTERNAL_DN AND (is_code($codes_party_type, p.TYPE) OR (nullif(p.AGENTID, 0) IS NULL
                                                                  AND coalesce(p.ENDPOINTID, 0) <= 0))
        THEN 'customer'
      WHEN h.MEDIATED OR cd.TYPE IN (DnType.ACD_QUEUE, DnType.ROUTING_POINT, DnType.VIRTUAL_QUEUE, DnType.VIRTUAL_ROUTING_POINT) THEN 'mediation'
      WHEN h.TREATED OR cd.TYPE = DnType.IVR_PORT THEN 'ivr'
      ELSE 'dn'
    END AS KIND,
    -- a routing point (or virtual routing point) by its configured or reported DN type, else by having
    -- routed the call without queuing it, and a multimedia routing strategy: its time is not a mediation
    -- segment (GIMPopMSF; Info Mart's show-non-queue-mediation-mm is false by default)
    p.TYPE = PartyType.ROUTING_STRATEGY OR coalesce(cd.TYPE IN (DnType.ROUTING_POINT, DnType.VIRTUAL_ROUTING_POINT), nullif(p.ENDPOINTTYPE, DnType.EXTENSION) IN (DnType.ROUTING_POINT, DnType.VIRTUAL_ROUTING_POINT), h.ROUTED_ONLY, FALSE) AS ROUTING_POINT,
    idb_key(
      p.CALLID || '|' || coalesce(p.ENDPOINTDN, '') || '|' || p.CREATED_TS || '|' ||
      row_number() OVER (PARTITION BY p.HA_SET, p.CALLID, p.ENDPOINTDN, p.CREATED_TS ORDER BY p.PROLE, p.PARTYID)
    ) AS IRF_ID
  FROM begun AS p
  JOIN _T_IXN_ENTITY AS e ON e.ENTITY_KEY = p.ENTITY_KEY
  JOIN call AS c ON c.HA_SET = p.HA_SET AND c.ENTITY_KEY = p.ENTITY_KEY AND c.CALLID = p.CALLID
  JOIN _T_SRC AS src ON src.SOURCE_NAME = p.SOURCE_NAME
  LEFT JOIN history AS h ON h.SOURCE_NAME = p.SOURCE_NAME AND h.PARTYID = p.PARTYID
  LEFT JOIN configured_dn AS cd ON cd.ENDPOINTID = p.ENDPOINTID AND NOT src.SIP_CLUSTER
),
continued AS (  -- a consultation's receiver on the main call, from the instant its consultation ended
  SELECT m.IRF_ID, arg_min(c.IRF_ID, abs(m.CREATED_TS - c.TERMINATED_TS)) AS HANDLING_IRF_ID
  FROM classified AS m
  JOIN classified AS c
    ON c.ROOT = m.ROOT AND c.PARENTCALLID = m.CALLID  -- an own-IR consultation may be the other member's
   AND c.ENDPOINTDN = m.ENDPOINTDN AND abs(m.CREATED_TS - c.TERMINATED_TS) <= $tol
  WHERE m.KIND = 'dn' AND c.KIND = 'dn' AND m.CALLTYPE <> CallType.CONSULT AND c.CALLTYPE = CallType.CONSULT AND c.PROLE <> PartyRole.ORIGINATOR
  GROUP BY m.IRF_ID
),
introduced AS (  -- conference members whose initiator left within the threshold while they stayed on
  SELECT m.IRF_ID
  FROM classified AS m
  JOIN classified AS i ON i.SOURCE_NAME = m.SOURCE_NAME AND i.PARTYID = m.PARENTPARTYID
  WHERE m.PROLE = PartyRole.CONFERENCE_MEMBER AND i.TERMINATED_TS - m.CREATED_TS < $introduced_transfer_s
    AND m.TERMINATED_TS > i.TERMINATED_TS
)
SELECT
  p.*,
  coalesce(c.HANDLING_IRF_ID, p.IRF_ID) AS HANDLING_IRF_ID,
  n.IRF_ID IS NOT NULL AS INTRODUCED_TRANSFER,
  CASE
    WHEN p.CALLTYPE = CallType.CONSULT AND p.PROLE = PartyRole.ORIGINATOR THEN 'CONS_INIT'
    WHEN p.CALLTYPE = CallType.CONSULT THEN 'CONS_RCV'
    WHEN p.PROLE = PartyRole.CONFERENCE_MEMBER AND n.IRF_ID IS NULL THEN 'CONF_JOIN'
    WHEN c.IRF_ID IS NOT NULL THEN 'POST_CONS_XFER'
    ELSE 'MAIN'
  END AS FAMILY
FROM classified AS p
LEFT JOIN continued AS c USING (IRF_ID)
LEFT JOIN introduced AS n USING (IRF_ID)
