-- model: user_data_units
-- layer: intermediate
-- runs: slice
-- target: _T_UD_UNIT
--
-- What user data is kept for: each resource fact of the interactions in scope and, with
-- etl.msf_user_data (Info Mart's link-msf-userdata), each mediation segment, keyed as Info Mart keys
-- its user-data tables (INTERACTION_RESOURCE_ID: the IRF's id, or the MSF's MEDIATION_SEGMENT_ID),
-- with the time the resource had the interaction: the propagation rules read it.
SELECT i.INTERACTION_RESOURCE_ID AS ID, i.INTERACTION_ID, x.ROOT, i.START_DATE_TIME_KEY, i.TENANT_KEY,
       i.START_TS, i.END_TS
FROM _T_IRF AS i JOIN _T_IXN AS x USING (INTERACTION_ID)
UNION ALL
SELECT MEDIATION_SEGMENT_ID, idb_key(ROOT), ROOT, interval_key(START_TS), cfg_resource_key(CfgType.TENANT, TENANTID),
       START_TS, LEFT_TS
FROM _T_MSF
WHERE $msf_user_data AND TYPE_CODE <> 'ROUTINGPOINT'
