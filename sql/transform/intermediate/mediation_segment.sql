-- model: mediation_segment
-- layer: intermediate
-- runs: slice
-- target: _T_MSF
--
-- The mediation segments of the interactions in scope: each stay in a virtual queue (the VQ IDB's
-- G_VIRTUAL_QUEUE rows, matched to the call by CALLID) and each routing-point or ACD-queue party.
-- Routing-point stays are kept here (the IRF of a call abandoned or cleared at a routing point reads
-- them) but are no MEDIATION_SEGMENT_FACT: Info Mart's MSFs are ACD and virtual queues (GIMPopMSF). A distributed stay lasts until its target answered or the caller left while it rang; its
-- queue part is measured in the clock of the IDB that saw the queue and its ringing part in the
-- clock of the IDB that saw the target, so skew between IDBs does not enter the duration. A stay that
-- passed its call on to another site (ISCC) diverted it, to the resource that took it there. A chat's
-- or e-mail's stay still going on is kept active, unlike a voice one (GIMPopMSF: "for multimedia
-- interactions, both active and completed interaction queue, workbin, and virtual queue activity is
-- populated"): it ends at the sentinel, its result UNKNOWN and its duration NULL until it ends.
WITH target AS (SELECT * FROM _T_PARTY WHERE KIND IN ('dn', 'ivr')),
vq AS (
  SELECT
    idb_key('vq|' || v.CALLID || '|' || v.ENDPOINTDN || '|' || v.ADDED_TS) AS MEDIATION_SEGMENT_ID,
    c.ROOT, v.CALLID, v.TENANTID, coalesce(c.MEDIATYPE, MediaType.VOICE) AS MEDIATYPE,
    party_dn_key(src.SIP_CLUSTER, v.ENDPOINTID, v.SWITCHID, v.ENDPOINTDN) AS RESOURCE_KEY,
    v.ENDPOINTDN, v.SWITCHID, v.ENDPOINTID, src.SIP_CLUSTER, v.RESULT, v.TARGETDN, v.STUCK_FLAG, FALSE AS ACTIVE_FLAG,
    v.ADDED_TS AS START_TS,
    CASE WHEN v.STUCK_FLAG THEN least(v.TERMINATED_TS, v.ADDED_TS + $max_call_s)
         ELSE v.TERMINATED_TS END AS LEFT_TS
  FROM GIDB_G_VIRTUAL_QUEUE AS v
  JOIN (SELECT DISTINCT e.ROOT, g.CALLID, g.MEDIATYPE FROM GIDB_G_CALL AS g JOIN _T_IXN_ENTITY AS e USING (ENTITY_KEY)
        WHERE in_ixn_time(g.CREATED_TS, $ixn_from)) AS c
    ON c.CALLID = v.CALLID
  JOIN _T_SRC AS src ON src.SOURCE_NAME = v.SOURCE_NAME
  -- a stay begins in its call (stamped by the VQ IDB's clock: the hour $ixn_from allows)
  WHERE in_ixn_time(v.ADDED_TS, $ixn_from) OR NOT plausible_ts(v.ADDED_TS)
),
vq_target AS (
  SELECT vq.MEDIATION_SEGMENT_ID, t.IRF_ID, t.CREATED_TS, t.ANSWER_TS, t.MEASURED_END_TS
  FROM vq JOIN target AS t
    ON t.ROOT = vq.ROOT AND t.ENDPOINTDN = vq.TARGETDN
   AND t.CREATED_TS BETWEEN vq.LEFT_TS - $tol AND vq.LEFT_TS + $tol
  WHERE vq.RESULT = VqResult.DISTRIBUTED
  QUALIFY row_number() OVER (PARTITION BY vq.MEDIATION_SEGMENT_ID ORDER BY abs(t.CREATED_TS - vq.LEFT_TS), t.IRF_ID) = 1
),
party AS (
  SELECT
    idb_key('dn|' || m.IRF_ID) AS MEDIATION_SEGMENT_ID, m.ROOT, m.CALLID, m.TENANTID, m.MEDIATYPE,
    party_dn_key(m.SIP_CLUSTER, m.ENDPOINTID, m.SWITCHID, m.ENDPOINTDN) AS RESOURCE_KEY,
    m.ENDPOINTDN, m.SWITCHID, m.ENDPOINTID, m.SIP_CLUSTER, m.STUCK_FLAG, m.ACTIVE_FLAG, m.IRF_ID AS MEDIATION_IRF_ID,
    m.CREATED_TS AS START_TS, CASE WHEN m.ACTIVE_FLAG THEN m.TERMINATED_TS ELSE m.MEASURED_END_TS END AS LEFT_TS, m.SOURCE_NAME, m.PARTYID, m.PARENTPARTYID,
    m.ROUTING_POINT, m.TYPE
  FROM _T_PARTY AS m WHERE m.KIND = 'mediation'
),
party_onward AS (  -- stays that handed the call on to another mediation DN (a queue-to-queue divert)
  SELECT DISTINCT m.MEDIATION_SEGMENT_ID
  FROM party AS m JOIN party AS n
    ON n.ROOT = m.ROOT AND n.CALLID = m.CALLID AND n.MEDIATION_SEGMENT_ID <> m.MEDIATION_SEGMENT_ID
   AND (n.PARENTPARTYID = m.PARTYID
        OR (n.PARENTPARTYID IS NULL AND n.START_TS BETWEEN m.LEFT_TS - $tol AND m.LEFT_TS + $tol))
),
party_away AS (  -- stays that passed the call on to another site as they left (_T_SITE_OUT)
  SELECT m.MEDIATION_SEGMENT_ID, x.REMOTECALLID, x.ADDED_TS
  FROM party AS m JOIN _T_SITE_OUT AS x
    ON x.CALLID = m.CALLID AND x.ADDED_TS BETWEEN m.LEFT_TS - $tol AND m.LEFT_TS + $tol
),
party_target AS (
  -- the party it handed the call to: its child, else an agent or IVR party created as it left, on its
  -- call or, where it passed the call on to another site, on that site's call
  SELECT m.MEDIATION_SEGMENT_ID, t.IRF_ID, t.CREATED_TS, t.ANSWER_TS, t.MEASURED_END_TS
  FROM party AS m
  LEFT JOIN party_away AS x USING (MEDIATION_SEGMENT_ID)
  JOIN target AS t
    ON t.ROOT = m.ROOT
   AND ((t.CALLID = m.CALLID
         AND (t.PARENTPARTYID = m.PARTYID OR t.CREATED_TS BETWEEN m.LEFT_TS - $tol AND m.LEFT_TS + $tol))
        OR (t.CALLID = x.REMOTECALLID AND t.CREATED_TS BETWEEN x.ADDED_TS - $tol AND x.ADDED_TS + $tol))
  QUALIFY row_number() OVER (
    PARTITION BY m.MEDIATION_SEGMENT_ID
    ORDER BY t.CALLID = m.CALLID DESC, t.PARENTPARTYID IS NOT DISTINCT FROM m.PARTYID DESC,
             abs(t.CREATED_TS - m.LEFT_TS), t.IRF_ID
  ) = 1
),
route AS (  -- a routing point's last routing result, and the target its strategy selected
  SELECT SOURCE_NAME, PARTYID, arg_max(RESULT, ADDED_TS) AS RESULT,
         arg_max(RTARGETTYPESELECTED, ADDED_TS) AS ROUTE_TARGET_TYPE,
         arg_max(RTARGETOBJECTSELECTED, ADDED_TS) AS ROUTE_TARGET_OBJECT
  FROM GIDB_G_ROUTE_RESULT WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM _T_IXN_ENTITY) AND in_ixn_time(ADDED_TS, $ixn_from) GROUP BY ALL
),
segment AS (
  SELECT
    vq.MEDIATION_SEGMENT_ID, vq.ROOT, vq.CALLID, vq.TENANTID, vq.MEDIATYPE, vq.RESOURCE_KEY, vq.ENDPOINTDN, vq.SWITCHID,
    vq.ENDPOINTID, vq.SIP_CLUSTER, vq.STUCK_FLAG, vq.ACTIVE_FLAG, vq.START_TS, vq.LEFT_TS,
    CASE vq.RESULT WHEN VqResult.DISTRIBUTED THEN 'DIVERTED' WHEN VqResult.ABANDONED THEN 'ABANDONED' WHEN VqResult.CLEARED THEN 'CLEARED' WHEN VqResult.REDIRECTED THEN 'REDIRECTED'
                   ELSE 'UNKNOWN' END AS RESULT_CODE,
    t.IRF_ID AS TARGET_IXN_RESOURCE_ID, t.CREATED_TS AS TARGET_CREATED_TS,
    coalesce(t.ANSWER_TS, t.MEASURED_END_TS) AS TARGET_ANSWERED_TS, 'VIRTUALQUEUE' AS TYPE_CODE,
    NULL::BIGINT AS MEDIATION_IRF_ID, NULL::INTEGER AS ROUTE_TARGET_TYPE, NULL::VARCHAR AS ROUTE_TARGET_OBJECT,
    NULL::INTEGER AS PARTY_TYPE
  FROM vq LEFT JOIN vq_target AS t USING (MEDIATION_SEGMENT_ID)
  UNION ALL
  SELECT
    m.MEDIATION_SEGMENT_ID, m.ROOT, m.CALLID, m.TENANTID, m.MEDIATYPE, m.RESOURCE_KEY, m.ENDPOINTDN, m.SWITCHID,
    m.ENDPOINTID, m.SIP_CLUSTER, m.STUCK_FLAG, m.ACTIVE_FLAG, m.START_TS, m.LEFT_TS,
    CASE WHEN m.ACTIVE_FLAG THEN 'UNKNOWN'  -- a chat or e-mail still in the queue or workbin
         WHEN t.IRF_ID IS NOT NULL OR o.MEDIATION_SEGMENT_ID IS NOT NULL OR w.MEDIATION_SEGMENT_ID IS NOT NULL
           THEN 'DIVERTED'
         WHEN r.RESULT = RouteResult.DEFAULT_ROUTE THEN 'CLEARED'
         WHEN r.RESULT = RouteResult.ABANDONED OR c.LEFT_TS <= m.LEFT_TS + $tol THEN 'ABANDONED'
         ELSE 'CLEARED' END,
    t.IRF_ID, t.CREATED_TS, coalesce(t.ANSWER_TS, t.MEASURED_END_TS),
    CASE WHEN m.ROUTING_POINT OR r.RESULT IS NOT NULL THEN 'ROUTINGPOINT' ELSE 'QUEUE' END,
    m.MEDIATION_IRF_ID, r.ROUTE_TARGET_TYPE, r.ROUTE_TARGET_OBJECT, m.TYPE
  FROM party AS m
  LEFT JOIN party_target AS t USING (MEDIATION_SEGMENT_ID)
  LEFT JOIN party_onward AS o USING (MEDIATION_SEGMENT_ID)
  LEFT JOIN (SELECT DISTINCT MEDIATION_SEGMENT_ID FROM party_away) AS w USING (MEDIATION_SEGMENT_ID)
  LEFT JOIN route AS r ON r.SOURCE_NAME = m.SOURCE_NAME AND r.PARTYID = m.PARTYID
  LEFT JOIN _T_CUSTOMER AS c ON c.SOURCE_NAME = m.SOURCE_NAME AND c.CALLID = m.CALLID
)
SELECT
  *,
  -- an active stay's duration is not known yet: NULL, not the distance to the sentinel
  CASE WHEN NOT ACTIVE_FLAG THEN (LEFT_TS - START_TS)
    + CASE WHEN TARGET_IXN_RESOURCE_ID IS NOT NULL THEN TARGET_ANSWERED_TS - TARGET_CREATED_TS ELSE 0 END END
    AS MEDIATION_DURATION,
  CASE WHEN RESULT_CODE = 'ABANDONED' THEN 'ABANDONEDWHILEQUEUED' END AS REASON_CODE
FROM segment
