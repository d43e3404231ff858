-- model: irf_user_data
-- layer: intermediate
-- runs: slice
-- target: _T_IRF_UD
--
-- The value of every mapped user-data column (_T_UD_MAP: IRF_USER_DATA_CUST_1, IRF_USER_DATA_GEN_1,
-- USER_DATA_CUST_DIM_<n>) for every resource fact of the slice (_T_UD_UNIT), by the column's propagation
-- rule (Table-CTL_UD_TO_UDE_MAPPING; GIMPropagationRules): CALL, the latest value the interaction held
-- when it left the resource, whoever set it; IRF, the latest change made while the resource had the
-- interaction (none: no value); IRF_FIRST_UPDATE, the first such change. A deleted key has no value.
-- Only units with a value have a row.
WITH change AS (
  SELECT u.ID, m.TABLE_NAME, m.COLUMN_NAME, m.RULE, c.ADDED_TS, c.CSEQ,
         CASE WHEN c.CHANGETYPE = UserDataChangeType.DELETED THEN NULL ELSE c.VALUE END AS VALUE
  FROM _T_UD_UNIT AS u
  JOIN _T_UD_CHANGE AS c ON c.ROOT = u.ROOT AND c.ADDED_TS <= u.END_TS
  JOIN _T_UD_MAP AS m ON m.KEYNAME = c.KEYNAME AND m.RULE IN ('CALL', 'IRF', 'IRF_FIRST_UPDATE')
  WHERE m.RULE = 'CALL' OR c.ADDED_TS >= u.START_TS
)
SELECT ID, TABLE_NAME, COLUMN_NAME,
  CASE WHEN any_value(RULE) = 'IRF_FIRST_UPDATE' THEN arg_min_null(VALUE, (ADDED_TS, CSEQ))
       ELSE arg_max_null(VALUE, (ADDED_TS, CSEQ)) END AS VALUE
FROM change
GROUP BY ID, TABLE_NAME, COLUMN_NAME
