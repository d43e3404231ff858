-- model: interaction_resource_fact_rows
-- layer: intermediate
-- runs: slice
-- target: _T_IRF
--
-- INTERACTION_RESOURCE_FACT rows of the interactions in scope: one per handling attempt of an agent, DN
-- or IVR (GIMPopIRF), and one per mediation party where the interaction ended in mediation (abandoned
-- or cleared there). An attempt is one party, or a consultation's receiver and its continuation on the
-- main call (_T_PARTY.HANDLING_IRF_ID). Each party's measures count in its FAMILY's columns only:
-- Info Mart's families are disjoint (DIAL = DIAL + CONS_INIT_DIAL, RING = RING + CONS_RCV_RING +
-- POST_CONS_XFER_RING + CONF_JOIN_RING over a call's IRFs: DBCompatibility VOICE_IXN_FACT_EXT).
-- Measures come from the party's state segments (_T_SEGMENT), after-call work from the agent's states
-- (_T_ACW), the agent from _T_AGENT, mediation links from _T_MSF.
WITH seg AS (
  SELECT
    IRF_ID,
    count(*) FILTER (STATE = PartyState.DIALING) AS DIAL_N, coalesce(sum(SECONDS) FILTER (STATE = PartyState.DIALING), 0) AS DIAL_S,
    count(*) FILTER (STATE = PartyState.RINGING) AS RING_N, coalesce(sum(SECONDS) FILTER (STATE = PartyState.RINGING), 0) AS RING_S,
    count(*) FILTER (STATE = PartyState.CONNECTED) AS TALK_N, coalesce(sum(SECONDS) FILTER (STATE = PartyState.CONNECTED), 0) AS TALK_S,
    count(*) FILTER (STATE = PartyState.HELD) AS HOLD_N, coalesce(sum(SECONDS) FILTER (STATE = PartyState.HELD), 0) AS HOLD_S,
    count(*) FILTER (STATE = PartyState.AFTER_CALL_WORK) AS PACW_N, coalesce(sum(SECONDS) FILTER (STATE = PartyState.AFTER_CALL_WORK), 0) AS PACW_S,
    count(*) FILTER (STATE = PartyState.DIALING AND CUSTOMER_SECONDS > 0) AS C_DIAL_N,
    coalesce(sum(CUSTOMER_SECONDS) FILTER (STATE = PartyState.DIALING), 0) AS C_DIAL_S,
    count(*) FILTER (STATE = PartyState.RINGING AND CUSTOMER_SECONDS > 0) AS C_RING_N,
    coalesce(sum(CUSTOMER_SECONDS) FILTER (STATE = PartyState.RINGING), 0) AS C_RING_S,
    count(*) FILTER (STATE = PartyState.CONNECTED AND CUSTOMER_SECONDS > 0) AS C_TALK_N,
    coalesce(sum(CUSTOMER_SECONDS) FILTER (STATE = PartyState.CONNECTED), 0) AS C_TALK_S,
    count(*) FILTER (STATE = PartyState.HELD AND CUSTOMER_SECONDS > 0) AS C_HOLD_N,
    coalesce(sum(CUSTOMER_SECONDS) FILTER (STATE = PartyState.HELD), 0) AS C_HOLD_S
  FROM _T_SEGMENT GROUP BY IRF_ID
),
child AS (  -- who took the call over from a party: a conference member, or a transfer target (an
            -- introduced transfer is a transfer), here or, through ISCC, at another site (_T_SITE_OUT)
  SELECT p.SOURCE_NAME, p.PARENTPARTYID AS PARTYID,
         bool_or(p.KIND <> 'customer' AND p.PROLE = PartyRole.CONFERENCE_MEMBER AND NOT p.INTRODUCED_TRANSFER)
           AS CONFERENCED,
         bool_or(p.KIND = 'customer' OR p.PROLE <> PartyRole.CONFERENCE_MEMBER OR p.INTRODUCED_TRANSFER) AS TRANSFERRED
  FROM _T_PARTY AS p
  LEFT JOIN _T_SITE_OUT AS x
    ON x.CALLID = p.CALLID AND p.CREATED_TS BETWEEN x.ADDED_TS - $tol AND x.ADDED_TS + $tol
  WHERE p.PARENTPARTYID IS NOT NULL AND (p.KIND IN ('dn', 'ivr') OR (p.KIND = 'customer' AND x.CALLID IS NOT NULL))
  GROUP BY ALL
),
msf AS (  -- the queue stay (MSF) that distributed the IRF: an ACD queue's, else the last virtual queue's
  SELECT TARGET_IXN_RESOURCE_ID AS IRF_ID,
         arg_max(MEDIATION_SEGMENT_ID, (TYPE_CODE = 'QUEUE', START_TS)) AS MEDIATION_SEGMENT_ID,
         arg_max(START_TS, (TYPE_CODE = 'QUEUE', START_TS)) AS MEDIATION_START_TS,
         arg_max(TYPE_CODE, (TYPE_CODE = 'QUEUE', START_TS)) AS MEDIATION_TYPE,
         arg_max(LEFT_TS - START_TS, (TYPE_CODE = 'QUEUE', START_TS)) AS MEDIATION_WAIT_S,
         arg_max(RESOURCE_KEY, START_TS) FILTER (TYPE_CODE = 'VIRTUALQUEUE') AS LAST_VQUEUE_RESOURCE_KEY
  FROM _T_MSF WHERE TARGET_IXN_RESOURCE_ID IS NOT NULL AND TYPE_CODE <> 'ROUTINGPOINT' GROUP BY 1
),
ended_in_mediation AS (
  SELECT MEDIATION_IRF_ID AS IRF_ID, RESULT_CODE, REASON_CODE FROM _T_MSF
  WHERE MEDIATION_IRF_ID IS NOT NULL AND RESULT_CODE IN ('ABANDONED', 'CLEARED')
),
party AS (
  SELECT
    p.*, a.AGENTID, a.AGENT_MATCH, e.RESULT_CODE AS MEDIATION_RESULT, e.REASON_CODE AS MEDIATION_REASON,
    cu.LEFT_TS AS CUSTOMER_LEFT_TS, ch.CONFERENCED, ch.TRANSFERRED,
    CASE
      -- a chat or e-mail a strategy delivered from an interaction queue (GIMMMIxnFlow-Chat: RoutedTo);
      -- one the agent pulled from a workbin is received (idbmart's reading: the flows pages name no role)
      WHEN p.TYPE = PartyType.PLACE AND up.TYPE IN (PartyType.INTERACTION_QUEUE, PartyType.ROUTING_STRATEGY)
        THEN 'ROUTEDTO'
      WHEN p.CALLTYPE = CallType.CONSULT AND p.PROLE = PartyRole.ORIGINATOR THEN 'INITIATEDCONSULT'
      WHEN p.CALLTYPE = CallType.CONSULT THEN 'RECEIVEDCONSULT'
      WHEN p.PROLE = PartyRole.ORIGINATOR THEN 'INITIATED'
      ELSE 'RECEIVED'
    END AS ROLE_CODE
  FROM _T_PARTY AS p
  JOIN _T_AGENT AS a USING (IRF_ID)
  LEFT JOIN ended_in_mediation AS e USING (IRF_ID)
  LEFT JOIN _T_CUSTOMER AS cu ON cu.SOURCE_NAME = p.SOURCE_NAME AND cu.CALLID = p.CALLID
  LEFT JOIN child AS ch ON ch.SOURCE_NAME = p.SOURCE_NAME AND ch.PARTYID = p.PARTYID
  LEFT JOIN _T_PARTY AS up ON up.SOURCE_NAME = p.SOURCE_NAME AND up.PARTYID = p.PARENTPARTYID
  WHERE p.KIND IN ('dn', 'ivr') OR e.IRF_ID IS NOT NULL
),
described AS (
  SELECT
    p.*,
    CASE
      WHEN p.MEDIATION_RESULT IS NOT NULL THEN p.MEDIATION_RESULT
      WHEN p.STUCK_FLAG THEN 'COMPLETED'
      WHEN p.ACTIVE_FLAG THEN 'UNKNOWN'  -- a chat or e-mail still handled: how it ends is not known yet
      -- an IVR either served the customer to the end or passed the call on
      WHEN p.KIND = 'ivr' AND p.CUSTOMER_LEFT_TS <= p.TERMINATED_TS + $tol THEN 'COMPLETED'
      WHEN p.KIND = 'ivr' THEN 'TRANSFERRED'
      WHEN p.ANSWER_TS IS NULL AND p.CUSTOMER_LEFT_TS <= p.TERMINATED_TS + $tol THEN 'ABANDONED'
      WHEN p.ANSWER_TS IS NULL AND p.PROLE <> PartyRole.ORIGINATOR THEN 'REDIRECTED'
      WHEN p.LAST_STATE = PartyState.HELD AND p.CUSTOMER_LEFT_TS <= p.TERMINATED_TS + $tol THEN 'ABANDONED'
      WHEN p.CONFERENCED THEN 'CONFERENCED'
      WHEN p.TRANSFERRED THEN 'TRANSFERRED'
      ELSE 'COMPLETED'
    END AS RESULT_CODE
  FROM party AS p
),
reasoned AS (
  SELECT
    d.*,
    CASE
      WHEN d.MEDIATION_RESULT IS NOT NULL THEN d.MEDIATION_REASON
      WHEN d.RESULT_CODE = 'ABANDONED' AND d.ANSWER_TS IS NULL THEN 'ABANDONEDWHILERINGING'
      WHEN d.RESULT_CODE = 'ABANDONED' THEN 'ABANDONEDFROMHOLD'
    END AS REASON_CODE,
    -- conference initiator and member are role reasons (GIMTechDescr)
    CASE WHEN d.FAMILY = 'CONF_JOIN' THEN 'CONFERENCEJOINED'
         WHEN d.RESULT_CODE = 'CONFERENCED' THEN 'CONFERENCEINITIATOR'
         ELSE 'UNSPECIFIED' END AS ROLE_REASON_CODE
  FROM described AS d
),
ud AS (SELECT ROOT, INTERACTION_DESCRIPTOR_KEY, IVR_APPLICATION FROM _T_IXN_UD)
,
per_party AS (  -- each party's share of its attempt: its measures in its family's columns
  SELECT
    r.HANDLING_IRF_ID, r.IRF_ID, r.ROOT, r.CALLID, coalesce(r.PARTYGUID, r.PARTYID) AS PARTY_GUID,
    cfg_resource_key(CfgType.TENANT, r.TENANTID) AS TENANT_KEY, r.MEDIATYPE AS MEDIA_TYPE_KEY,
    interaction_type_key(r.CALLTYPE) AS INTERACTION_TYPE_KEY,
    CASE
      WHEN r.AGENTID IS NOT NULL THEN cfg_resource_key(CfgType.PERSON, r.AGENTID)
      WHEN r.KIND = 'ivr' AND ud.IVR_APPLICATION IS NOT NULL THEN coalesce(
        (SELECT cfg_resource_key(CfgType.APPLICATION, min(APPID)) FROM GIDB_GC_APPLICATION AS g
          WHERE g.NAME = ud.IVR_APPLICATION AND g.TENANTID = r.TENANTID),
        app_resource_key(r.TENANTID, ud.IVR_APPLICATION))
      ELSE party_dn_key(r.SIP_CLUSTER, r.ENDPOINTID, r.SWITCHID, r.ENDPOINTDN)
    END AS RESOURCE_KEY,
    party_dn_key(r.SIP_CLUSTER, r.ENDPOINTID, r.SWITCHID, r.ENDPOINTDN) AS MEDIA_RESOURCE_KEY,
    r.ROLE_CODE, r.ROLE_REASON_CODE, r.RESULT_CODE, r.REASON_CODE,
    ud.INTERACTION_DESCRIPTOR_KEY, m.MEDIATION_SEGMENT_ID, m.LAST_VQUEUE_RESOURCE_KEY,
    prev.HANDLING_IRF_ID AS PREV_IXN_RESOURCE_ID,
    r.AGENT_MATCH, r.CREATED_TS AS START_TS, r.TERMINATED_TS AS END_TS, r.STUCK_FLAG, r.ACTIVE_FLAG,
    in_family(r.FAMILY, ['MAIN', 'CONS_RCV', 'POST_CONS_XFER', 'CONF_JOIN'], s.DIAL_N) AS DIAL_COUNT,
    in_family(r.FAMILY, ['MAIN', 'CONS_RCV', 'POST_CONS_XFER', 'CONF_JOIN'], s.DIAL_S) AS DIAL_DURATION,
    in_family(r.FAMILY, ['MAIN', 'CONS_INIT'], s.RING_N) AS RING_COUNT,
    in_family(r.FAMILY, ['MAIN', 'CONS_INIT'], s.RING_S) AS RING_DURATION,
    in_family(r.FAMILY, ['MAIN'], s.TALK_N) AS TALK_COUNT, in_family(r.FAMILY, ['MAIN'], s.TALK_S) AS TALK_DURATION,
    in_family(r.FAMILY, ['MAIN'], s.HOLD_N) AS HOLD_COUNT, in_family(r.FAMILY, ['MAIN'], s.HOLD_S) AS HOLD_DURATION,
    in_family(r.FAMILY, ['MAIN', 'CONS_INIT'], coalesce(w.ACW_COUNT, 0) + coalesce(s.PACW_N, 0))
      AS AFTER_CALL_WORK_COUNT,
    in_family(r.FAMILY, ['MAIN', 'CONS_INIT'], coalesce(w.ACW_SECONDS, 0) + coalesce(s.PACW_S, 0))
      AS AFTER_CALL_WORK_DURATION,
    coalesce(s.C_DIAL_N, 0) AS CUSTOMER_DIAL_COUNT, coalesce(s.C_DIAL_S, 0) AS CUSTOMER_DIAL_DURATION,
    coalesce(s.C_RING_N, 0) AS CUSTOMER_RING_COUNT, coalesce(s.C_RING_S, 0) AS CUSTOMER_RING_DURATION,
    coalesce(s.C_TALK_N, 0) AS CUSTOMER_TALK_COUNT, coalesce(s.C_TALK_S, 0) AS CUSTOMER_TALK_DURATION,
    coalesce(s.C_HOLD_N, 0) AS CUSTOMER_HOLD_COUNT, coalesce(s.C_HOLD_S, 0) AS CUSTOMER_HOLD_DURATION,
    CASE WHEN r.CALLTYPE <> CallType.CONSULT AND r.CUSTOMER_LEFT_TS IS NOT NULL THEN coalesce(w.ACW_COUNT, 0) ELSE 0 END
      AS CUSTOMER_ACW_COUNT,
    CASE WHEN r.CALLTYPE <> CallType.CONSULT AND r.CUSTOMER_LEFT_TS IS NOT NULL THEN coalesce(w.ACW_SECONDS, 0) ELSE 0 END
      AS CUSTOMER_ACW_DURATION,
    in_family(r.FAMILY, ['CONS_INIT'], s.DIAL_N) AS CONS_INIT_DIAL_COUNT,
    in_family(r.FAMILY, ['CONS_INIT'], s.DIAL_S) AS CONS_INIT_DIAL_DURATION,
    in_family(r.FAMILY, ['CONS_INIT'], s.TALK_N) AS CONS_INIT_TALK_COUNT,
    in_family(r.FAMILY, ['CONS_INIT'], s.TALK_S) AS CONS_INIT_TALK_DURATION,
    in_family(r.FAMILY, ['CONS_INIT'], s.HOLD_N) AS CONS_INIT_HOLD_COUNT,
    in_family(r.FAMILY, ['CONS_INIT'], s.HOLD_S) AS CONS_INIT_HOLD_DURATION,
    in_family(r.FAMILY, ['CONS_RCV'], s.RING_N) AS CONS_RCV_RING_COUNT,
    in_family(r.FAMILY, ['CONS_RCV'], s.RING_S) AS CONS_RCV_RING_DURATION,
    in_family(r.FAMILY, ['CONS_RCV'], s.TALK_N) AS CONS_RCV_TALK_COUNT,
    in_family(r.FAMILY, ['CONS_RCV'], s.TALK_S) AS CONS_RCV_TALK_DURATION,
    in_family(r.FAMILY, ['CONS_RCV'], s.HOLD_N) AS CONS_RCV_HOLD_COUNT,
    in_family(r.FAMILY, ['CONS_RCV'], s.HOLD_S) AS CONS_RCV_HOLD_DURATION,
    in_family(r.FAMILY, ['CONS_RCV'], coalesce(w.ACW_COUNT, 0) + coalesce(s.PACW_N, 0)) AS CONS_RCV_ACW_COUNT,
    in_family(r.FAMILY, ['CONS_RCV'], coalesce(w.ACW_SECONDS, 0) + coalesce(s.PACW_S, 0)) AS CONS_RCV_ACW_DURATION,
    -- the conference initiator's talk while the conference was on, from the member's joining to its own
    -- end: a part of its TALK (the documentation gives no formula for it)
    coalesce(conf.TALK_N, 0) AS CONF_INIT_TALK_COUNT, coalesce(conf.TALK_S, 0) AS CONF_INIT_TALK_DURATION,
    in_family(r.FAMILY, ['CONF_JOIN'], s.RING_N) AS CONF_JOIN_RING_COUNT,
    in_family(r.FAMILY, ['CONF_JOIN'], s.RING_S) AS CONF_JOIN_RING_DURATION,
    in_family(r.FAMILY, ['CONF_JOIN'], s.TALK_N) AS CONF_JOIN_TALK_COUNT,
    in_family(r.FAMILY, ['CONF_JOIN'], s.TALK_S) AS CONF_JOIN_TALK_DURATION,
    in_family(r.FAMILY, ['CONF_JOIN'], s.HOLD_N) AS CONF_JOIN_HOLD_COUNT,
    in_family(r.FAMILY, ['CONF_JOIN'], s.HOLD_S) AS CONF_JOIN_HOLD_DURATION,
    in_family(r.FAMILY, ['CONF_JOIN'], coalesce(w.ACW_COUNT, 0) + coalesce(s.PACW_N, 0)) AS CONF_JOIN_ACW_COUNT,
    in_family(r.FAMILY, ['CONF_JOIN'], coalesce(w.ACW_SECONDS, 0) + coalesce(s.PACW_S, 0))
      AS CONF_JOIN_ACW_DURATION,
    in_family(r.FAMILY, ['POST_CONS_XFER'], s.RING_N) AS POST_CONS_XFER_RING_COUNT,
    in_family(r.FAMILY, ['POST_CONS_XFER'], s.RING_S) AS POST_CONS_XFER_RING_DURATION,
    in_family(r.FAMILY, ['POST_CONS_XFER'], s.TALK_N) AS POST_CONS_XFER_TALK_COUNT,
    in_family(r.FAMILY, ['POST_CONS_XFER'], s.TALK_S) AS POST_CONS_XFER_TALK_DURATION,
    in_family(r.FAMILY, ['POST_CONS_XFER'], s.HOLD_N) AS POST_CONS_XFER_HOLD_COUNT,
    in_family(r.FAMILY, ['POST_CONS_XFER'], s.HOLD_S) AS POST_CONS_XFER_HOLD_DURATION,
    in_family(r.FAMILY, ['POST_CONS_XFER'], coalesce(w.ACW_COUNT, 0) + coalesce(s.PACW_N, 0))
      AS POST_CONS_XFER_ACW_COUNT,
    in_family(r.FAMILY, ['POST_CONS_XFER'], coalesce(w.ACW_SECONDS, 0) + coalesce(s.PACW_S, 0))
      AS POST_CONS_XFER_ACW_DURATION,
    CASE WHEN m.MEDIATION_TYPE = 'VIRTUALQUEUE' THEN m.MEDIATION_WAIT_S
         WHEN m.MEDIATION_START_TS IS NOT NULL THEN r.CREATED_TS - m.MEDIATION_START_TS
         ELSE 0 END AS QUEUE_DURATION
  FROM reasoned AS r
  LEFT JOIN seg AS s USING (IRF_ID)
  LEFT JOIN _T_ACW AS w USING (IRF_ID)
  LEFT JOIN msf AS m USING (IRF_ID)
  LEFT JOIN ud ON ud.ROOT = r.ROOT
  LEFT JOIN _T_PARTY AS prev
    ON prev.SOURCE_NAME = r.SOURCE_NAME AND prev.PARTYID = r.PARENTPARTYID AND prev.KIND IN ('dn', 'ivr')
  LEFT JOIN (
    SELECT parent.IRF_ID, count(*) AS TALK_N, sum(g.SECONDS) AS TALK_S
    FROM _T_PARTY AS member
    JOIN _T_PARTY AS parent ON parent.SOURCE_NAME = member.SOURCE_NAME AND parent.PARTYID = member.PARENTPARTYID
    JOIN _T_SEGMENT AS g ON g.IRF_ID = parent.IRF_ID AND g.STATE = PartyState.CONNECTED AND g.START_TS >= member.CREATED_TS
    WHERE member.PROLE = PartyRole.CONFERENCE_MEMBER AND NOT member.INTRODUCED_TRANSFER
    GROUP BY parent.IRF_ID
  ) AS conf ON conf.IRF_ID = r.IRF_ID
),
continued AS (SELECT DISTINCT HANDLING_IRF_ID FROM per_party WHERE HANDLING_IRF_ID <> IRF_ID),
attempt AS MATERIALIZED (  -- one row per attempt: a party alone, or a consultation's receiver and its continuation
  SELECT * EXCLUDE (IRF_ID) FROM per_party ANTI JOIN continued USING (HANDLING_IRF_ID)
  UNION ALL BY NAME
  SELECT
    HANDLING_IRF_ID,
    -- what the attempt was: its first party's (the consultation's)
    arg_max(COLUMNS(['ROOT', 'CALLID', 'PARTY_GUID', 'TENANT_KEY', 'MEDIA_TYPE_KEY', 'INTERACTION_TYPE_KEY',
                     'RESOURCE_KEY', 'MEDIA_RESOURCE_KEY', 'ROLE_CODE', 'INTERACTION_DESCRIPTOR_KEY',
                     'MEDIATION_SEGMENT_ID', 'LAST_VQUEUE_RESOURCE_KEY', 'AGENT_MATCH', 'START_TS']),
            IRF_ID = HANDLING_IRF_ID),
    arg_min(PREV_IXN_RESOURCE_ID, START_TS) FILTER (PREV_IXN_RESOURCE_ID IS NOT NULL) AS PREV_IXN_RESOURCE_ID,
    -- how it ended: its last party's
    arg_max(COLUMNS(['RESULT_CODE', 'REASON_CODE', 'END_TS', 'STUCK_FLAG', 'ACTIVE_FLAG']), END_TS),
    CASE WHEN bool_or(ROLE_REASON_CODE = 'CONFERENCEJOINED') THEN 'CONFERENCEJOINED'
         ELSE arg_max(ROLE_REASON_CODE, END_TS) END AS ROLE_REASON_CODE,
    sum(COLUMNS('_(COUNT|DURATION)$'))::BIGINT
  FROM per_party SEMI JOIN continued USING (HANDLING_IRF_ID)
  GROUP BY HANDLING_IRF_ID
),
-- the attempts' order in their interaction and their agents' places, found on their keys alone and
-- joined by the attempt's (a fact's key is unique: idbmart.load.merge.replace): a window over the
-- attempts' hundred columns cost 40 % of this model at 250k calls
ordinal AS (
  SELECT HANDLING_IRF_ID, row_number() OVER (PARTITION BY ROOT ORDER BY START_TS, CALLID, HANDLING_IRF_ID)::INTEGER
    AS INTERACTION_RESOURCE_ORDINAL
  FROM attempt
),
place AS (  -- the place its agent was logged in at when it began (none, as in a SIP Cluster: NULL)
  SELECT a.HANDLING_IRF_ID, min(p.PLACE_KEY) AS PLACE_KEY
  FROM attempt AS a
  JOIN _T_AGENT_PLACE AS p
    ON p.RESOURCE_KEY = a.RESOURCE_KEY AND p.MEDIA_TYPE_KEY = a.MEDIA_TYPE_KEY
   AND a.START_TS >= p.FROM_TS AND a.START_TS < p.TO_TS
  GROUP BY a.HANDLING_IRF_ID
)
SELECT
  a.HANDLING_IRF_ID AS INTERACTION_RESOURCE_ID,
  idb_key(a.ROOT) AS INTERACTION_ID,
  o.INTERACTION_RESOURCE_ORDINAL,
  a.CALLID AS MEDIA_SERVER_IXN_GUID,
  a.* EXCLUDE (HANDLING_IRF_ID, ROOT, CALLID, ROLE_CODE, ROLE_REASON_CODE, RESULT_CODE, REASON_CODE, AGENT_MATCH,
               START_TS, END_TS, STUCK_FLAG, ACTIVE_FLAG, QUEUE_DURATION),
  technical_descriptor_key(a.ROLE_CODE, a.ROLE_REASON_CODE, a.RESULT_CODE, a.REASON_CODE)
    AS TECHNICAL_DESCRIPTOR_KEY,
  0 AS IRF_ANCHOR,
  0 AS ANCHOR_FLAGS_KEY,
  a.AGENT_MATCH = 'recovered' AS AGENT_RECOVERED_FLAG,
  a.AGENT_MATCH,
  a.START_TS, a.END_TS,
  interval_key(a.START_TS) AS START_DATE_TIME_KEY, interval_key(a.END_TS) AS END_DATE_TIME_KEY,
  (a.CUSTOMER_TALK_DURATION > 0)::INTEGER AS CUSTOMER_HANDLE_COUNT,
  a.QUEUE_DURATION,
  a.STUCK_FLAG,
  a.ACTIVE_FLAG,
  -- the agent groups its resource belonged to when it began (-2, No Group: none, or not an agent)
  coalesce(g.GROUP_COMBINATION_KEY, -2) AS RESOURCE_GROUP_COMBINATION_KEY,
  w.PLACE_KEY
FROM attempt AS a
JOIN ordinal AS o USING (HANDLING_IRF_ID)
LEFT JOIN place AS w USING (HANDLING_IRF_ID)
LEFT JOIN _T_GROUP_SEGMENT AS g ON g.RESOURCE_KEY = a.RESOURCE_KEY AND a.START_TS >= g.FROM_TS AND a.START_TS < g.TO_TS
