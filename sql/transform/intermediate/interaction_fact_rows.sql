-- model: interaction_fact_rows
-- layer: intermediate
-- runs: slice
-- target: _T_IF
--
-- INTERACTION_FACT rows of the interactions in scope: one per root interaction (G_IR), typed by its
-- root call, ending with the last of its IRs (those that continue it included: interaction_entities).
-- A stuck interaction ends at the sentinel, flagged; so does an open chat or e-mail, flagged active.
-- An IR that ends before it begins (a broken clock or row) ends where it begins, one ending implausibly
-- late (macro plausible_end) ends with its last party, one created at an implausible time begins with
-- its root call, else its first party; their rows are in STG_TRANSFORM_DISCARDS (discards.sql).
WITH root_call AS (
  SELECT HA_SET, ENTITY_KEY, CALLTYPE, ANI, DNIS, TENANTID, MEDIATYPE, GSYS_SEQ, CREATED_TS FROM GIDB_G_CALL
  WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND (in_ixn_time(CREATED_TS, $ixn_from) OR NOT plausible_ts(CREATED_TS))
    AND CALLID = ENTITY_KEY
  QUALIFY row_number() OVER (PARTITION BY HA_SET, ENTITY_KEY ORDER BY GSYS_SEQ DESC) = 1  -- its latest row
),
party_start AS (  -- for an IR and root call both created at implausible times: its first party's creation
  SELECT HA_SET, ENTITY_KEY, min(CREATED_TS) AS CREATED_TS FROM GIDB_G_PARTY
  WHERE ENTITY_KEY IN (SELECT ENTITY_KEY FROM GIDB_G_IR WHERE ENTITY_KEY IN (SELECT ROOT FROM _T_IXN)
                                                          AND NOT plausible_ts(CREATED_TS))
    AND in_ixn_time(CREATED_TS, $ixn_from) AND plausible_ts(CREATED_TS)
  GROUP BY ALL
),
party_end AS (SELECT ROOT, max(TERMINATED_TS) AS TERMINATED_TS FROM _T_PARTY GROUP BY ROOT),
linked_end AS (  -- the IRs that continue it (consultations with an IR of their own, other sites' calls)
  SELECT e.ROOT, max(ir.TERMINATED_TS) AS TERMINATED_TS
  FROM _T_IXN_ENTITY AS e JOIN GIDB_G_IR AS ir ON ir.ENTITY_KEY = e.ENTITY_KEY
  WHERE e.ENTITY_KEY <> e.ROOT AND in_ixn_time(ir.CREATED_TS, $ixn_from)
    AND plausible_ts(ir.CREATED_TS) AND plausible_end(ir.CREATED_TS, ir.TERMINATED_TS, FALSE)
  GROUP BY e.ROOT
)
SELECT
  idb_key(ir.ROOTCALLID) AS INTERACTION_ID,
  ir.ROOTCALLID AS MEDIA_SERVER_IXN_GUID,
  cfg_resource_key(CfgType.TENANT, coalesce(ir.TENANTID, c.TENANTID)) AS TENANT_KEY,
  coalesce(ir.MEDIATYPE, c.MEDIATYPE, 0) AS MEDIA_TYPE_KEY,
  interaction_type_key(c.CALLTYPE) AS INTERACTION_TYPE_KEY,
  c.ANI AS SOURCE_ADDRESS,
  c.DNIS AS TARGET_ADDRESS,
  b.START_TS,
  e.END_TS,
  interval_key(b.START_TS) AS START_DATE_TIME_KEY,
  interval_key(e.END_TS) AS END_DATE_TIME_KEY,
  CASE WHEN ir.STUCK_FLAG AND m.ACTIVE THEN 'ACTIVE' WHEN ir.STUCK_FLAG THEN 'STUCK' ELSE 'TERMINATED' END AS STATUS,
  ir.STUCK_FLAG AND m.ACTIVE AS ACTIVE_FLAG,
  ir.STUCK_FLAG AND NOT m.ACTIVE AS STUCK_FLAG,
  ir.SOURCE_NAME
FROM GIDB_G_IR AS ir
LEFT JOIN root_call AS c ON c.HA_SET = ir.HA_SET AND c.ENTITY_KEY = ir.ENTITY_KEY
LEFT JOIN party_start AS ps ON ps.HA_SET = ir.HA_SET AND ps.ENTITY_KEY = ir.ENTITY_KEY
LEFT JOIN party_end AS pe ON pe.ROOT = ir.ENTITY_KEY
LEFT JOIN linked_end AS le ON le.ROOT = ir.ENTITY_KEY,
LATERAL (SELECT CASE WHEN plausible_ts(ir.CREATED_TS) THEN ir.CREATED_TS
                     WHEN plausible_ts(c.CREATED_TS) THEN c.CREATED_TS
                     ELSE coalesce(ps.CREATED_TS, ir.TERMINATED_TS) END AS START_TS) AS b,
LATERAL (SELECT greatest(CASE WHEN plausible_end(b.START_TS, ir.TERMINATED_TS, ir.STUCK_FLAG) THEN ir.TERMINATED_TS
                              ELSE pe.TERMINATED_TS END, b.START_TS, le.TERMINATED_TS) AS END_TS) AS e,
-- open chats and e-mails are active, never stuck (sql/extract/interaction/ready.sql reads them while open)
LATERAL (SELECT coalesce(ir.MEDIATYPE, c.MEDIATYPE, MediaType.VOICE) <> MediaType.VOICE AS ACTIVE) AS m
WHERE ir.ENTITY_KEY IN (SELECT ROOT FROM _T_IXN) AND (in_ixn_time(ir.CREATED_TS, $ixn_from) OR NOT plausible_ts(ir.CREATED_TS))
QUALIFY row_number() OVER (PARTITION BY ir.ROOTCALLID ORDER BY b.START_TS, ir.HA_SET) = 1
