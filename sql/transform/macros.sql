-- Helpers of the transform SQL, created per connection (TEMP). A `$name` is a run-level value (an
-- option, a constant of the contract) written in as a literal when the macros are created
-- (idbmart.transform.graph.bind: DuckDB's parameter syntax; macros cannot take parameters).

-- A deterministic surrogate key: 63 bits of the MD5 of a row's identity text. The same identity gives
-- the same key in every mart and every run (MART.md: keys are deterministic).
CREATE OR REPLACE TEMP MACRO idb_key(s) AS CAST(md5_number(s) >> 65 AS BIGINT);

-- The 15-minute interval a UTC second falls in (DATE_TIME_KEY).
CREATE OR REPLACE TEMP MACRO interval_key(ts) AS ts // 900 * 900;

-- Resource keys by identity rule (SIP Cluster guide, "Data Differences in Info Mart").
CREATE OR REPLACE TEMP MACRO cfg_resource_key(cfg_type, dbid) AS idb_key('cfg|' || cfg_type || '|' || dbid);
CREATE OR REPLACE TEMP MACRO dn_resource_key(switch_dbid, name) AS idb_key('dn|' || switch_dbid || '|' || name);
CREATE OR REPLACE TEMP MACRO app_resource_key(tenant, name) AS idb_key('app|' || tenant || '|' || name);

-- Outbound dimensions (campaign, calling_list, campaign_group), by configuration DBID.
CREATE OR REPLACE TEMP MACRO ob_key(kind, dbid) AS idb_key(kind || '|' || dbid);
CREATE OR REPLACE TEMP MACRO campaign_key(dbid) AS ob_key('campaign', dbid);
CREATE OR REPLACE TEMP MACRO calling_list_key(dbid) AS ob_key('calling_list', dbid);
CREATE OR REPLACE TEMP MACRO campaign_group_key(dbid) AS ob_key('campaign_group', dbid);

-- The DN of a party or session as a resource: configured by DBID outside a cluster, else by name.
CREATE OR REPLACE TEMP MACRO party_dn_dbid(cluster, endpoint_id) AS
  CASE WHEN NOT cluster AND coalesce(endpoint_id, 0) > 0 THEN endpoint_id::BIGINT END;
CREATE OR REPLACE TEMP MACRO party_dn_key(cluster, endpoint_id, switch_dbid, name) AS
  CASE WHEN party_dn_dbid(cluster, endpoint_id) IS NOT NULL THEN cfg_resource_key(CfgType.DN, endpoint_id)
       ELSE dn_resource_key(switch_dbid, name) END;
-- A multimedia party's resource by its G_PARTY.TYPE (ICON Table-G_PARTY: 3 place, 4 interaction queue, 5
-- workbin, 6 routing strategy): STG_RESOURCE_SEEN.TYPE_CODE, which resource.sql names; NULL for a DN's.
CREATE OR REPLACE TEMP MACRO media_party_type_code(party_type) AS
  CASE party_type WHEN PartyType.PLACE THEN 'PLACE' WHEN PartyType.INTERACTION_QUEUE THEN 'INTERACTIONQUEUE'
                  WHEN PartyType.WORKBIN THEN 'WORKBIN' WHEN PartyType.ROUTING_STRATEGY THEN 'ROUTINGSTRATEGY' END;

-- A technical descriptor by its codes (an unspecified role reason keeps the key it had before role
-- reasons were recorded, so older facts still find their row).
CREATE OR REPLACE TEMP MACRO technical_descriptor_key(role_code, role_reason_code, result_code, reason_code) AS
  idb_key('td|' || role_code || '|' || result_code || '|' || coalesce(reason_code, '') ||
          CASE WHEN role_reason_code = 'UNSPECIFIED' THEN '' ELSE '|' || role_reason_code END);

-- Whether `v` is a code the IDB contract knows for a column (`codes`, its list from idbmart/idb/enums.py,
-- a run-level value: e.g. is_code($codes_calltype, CALLTYPE)).
CREATE OR REPLACE TEMP MACRO is_code(codes, v) AS list_contains(codes, v);

-- An interaction's type from its call's CALLTYPE: none is taken as inbound, an unknown one is UNKNOWN (0).
CREATE OR REPLACE TEMP MACRO interaction_type_key(calltype) AS
  CASE WHEN calltype IS NULL THEN CallType.INBOUND WHEN is_code($codes_calltype, calltype) THEN calltype ELSE 0 END;

-- A party's seconds (or count) in one IRF measure family: the value where the party's FAMILY is one of
-- `families`, else 0 (_T_PARTY.FAMILY; Info Mart's families are disjoint).
CREATE OR REPLACE TEMP MACRO in_family(family, families, v) AS
  CASE WHEN list_contains(families, family) THEN coalesce(v, 0) ELSE 0 END;

-- Whether a GIDB row may belong to the interactions being built, by its time: none of their rows is
-- older than their first call, less an hour (`from_ts`: $ixn_from, the slice's bound, given by the
-- transform's runner). DuckDB then skips the row groups of older rows by their zone maps instead of
-- reading every day GIDB keeps. A row without a time is always read.
CREATE OR REPLACE TEMP MACRO in_ixn_time(ts, from_ts) AS (ts >= from_ts OR ts IS NULL);
-- The rows of `tbl` in_ixn_time by its column `ts`, as two scans: where `from_ts` is a subquery's value,
-- DuckDB skips row groups by `ts >= from_ts` alone, not by it OR'ed with `ts IS NULL`.
CREATE OR REPLACE TEMP MACRO ixn_time_rows(tbl, ts, from_ts) AS TABLE
  SELECT * FROM query_table(tbl) WHERE columns(ts) >= from_ts
  UNION ALL SELECT * FROM query_table(tbl) WHERE columns(ts) IS NULL;

-- A bound taken from a set that may be empty (its min or max: NULL then), as a lower or an upper bound
-- of a time or a run. DuckDB reads every row group for a comparison with NULL; where the set is empty
-- these bound nothing in (the greatest BIGINT from, the least up to), and no row group is read.
CREATE OR REPLACE TEMP MACRO bound_from(v) AS coalesce(v, 9223372036854775807);
CREATE OR REPLACE TEMP MACRO bound_to(v) AS coalesce(v, -9223372036854775808);

-- Whether a source time can be true: no IDB recorded anything before 2000-01-01 (PLAUSIBLE_FROM_TS
-- in idbmart/extract/entities.py, set by idbmart/transform/build.py; a CREATED_TS of
-- -86400 is a broken row or clock). An implausible time is not used: its row is read by a stated rule
-- and listed in STG_TRANSFORM_DISCARDS (discards.sql). Such rows are read whatever the slice's time
-- bound (in_ixn_time), which old row groups, holding none, still let DuckDB skip.
CREATE OR REPLACE TEMP MACRO plausible_ts(ts) AS ts >= $plausible_from;

-- Whether a recorded end can be true: no later than 30 days after its start (PLAUSIBLE_SPAN_S in
-- idbmart/extract/entities.py; a TERMINATED_TS of 2038 on a call of today is a broken row or clock). A
-- stuck row's end is the sentinel, not recorded: it is always plausible. NULL where `end_ts` is NULL.
CREATE OR REPLACE TEMP MACRO plausible_end(start_ts, end_ts, stuck) AS
  stuck OR end_ts <= start_ts + $plausible_span;

-- Seconds two intervals [a0, a1) and [b0, b1) share.
CREATE OR REPLACE TEMP MACRO overlap_s(a0, a1, b0, b1) AS greatest(0, least(a1, b1) - greatest(a0, b0));

-- Whether DND (agent state 6) counts as a state of the media's sessions (Info Mart's
-- factor-dnd-into-sm-resource-states, GIMPopAgent: false for voice, true for multimedia by default).
-- Where it does not, a DND change is ignored and the DN keeps the state it had before.
CREATE OR REPLACE TEMP MACRO dnd_factored(mediatype) AS
  CASE WHEN coalesce(mediatype, MediaType.VOICE) = MediaType.VOICE THEN $dnd_voice ELSE $dnd_multimedia END;

-- The IRs that continue another IR's interaction (GIMPopIxn: one INTERACTION_FACT per customer
-- interaction, "in a network routing solution, all underlying network and premise facts are
-- considered"), CHILD → PARENT, of the GIDB rows from `from_ts` on (in_ixn_time):
--   a consultation ICON gave an IR of its own → the IR of the call it consulted from (same IDB);
--   a call that came in from another site through ISCC (G_IS_LINK, DIRECTION in) → the IR of the call it
--   came from, in that site's IDB (Info Mart 8 merges multi-site calls itself: ICON's merge procedure
--   "does not merge records that are distributed across more than one IDB", ICON UG MergeStoredProcedure).
-- An IR with more than one parent keeps the least. PARENT_RUN_ID is the run that staged the parent's
-- GIDB rows (their EXTRACT_RUN_ID). (The tables are parameters so that the macro binds when it is used,
-- not when it is made: a model run alone has no GIDB.)
CREATE OR REPLACE TEMP MACRO ixn_parents(from_ts, calls := 'GIDB_G_CALL', links := 'GIDB_G_IS_LINK') AS TABLE
  WITH call AS NOT MATERIALIZED (SELECT * FROM ixn_time_rows(calls, 'CREATED_TS', from_ts)),
  link AS NOT MATERIALIZED (SELECT * FROM ixn_time_rows(links, 'ADDED_TS', from_ts))
  SELECT CHILD, min(PARENT) AS PARENT, arg_min(PARENT_RUN_ID, PARENT) AS PARENT_RUN_ID FROM (
    SELECT c.ENTITY_KEY AS CHILD, m.ENTITY_KEY AS PARENT, m.EXTRACT_RUN_ID AS PARENT_RUN_ID
    FROM call AS c JOIN call AS m ON m.CALLID = c.PARENTCALLID
    WHERE c.CALLID = c.ENTITY_KEY AND c.CALLTYPE = CallType.CONSULT AND m.ENTITY_KEY <> c.ENTITY_KEY
    UNION ALL
    SELECT l.ENTITY_KEY, c.ENTITY_KEY, c.EXTRACT_RUN_ID
    FROM link AS l JOIN call AS c ON c.CALLID = l.REMOTECALLID
    WHERE l.DIRECTION = LinkDirection.IN AND c.ENTITY_KEY <> l.ENTITY_KEY
  )
  GROUP BY CHILD;
