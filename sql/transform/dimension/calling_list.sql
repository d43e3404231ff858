-- model: calling_list
-- layer: dimension
-- target: CALLING_LIST
-- key: CALLING_LIST_KEY
--
-- CALLING_LIST: the calling lists of outbound_dimension_rows.
SELECT KEY AS CALLING_LIST_KEY, TENANT_KEY, NAME AS CALLING_LIST_NAME, DBID AS CALLING_LIST_CFG_DBID, CONFIGURED_FLAG,
       START_TS, END_TS
FROM _T_OB_DIM WHERE KIND = 'calling_list'
