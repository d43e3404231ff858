-- model: user_data_dim_rows
-- layer: intermediate
-- runs: slice
-- target: _T_UD_DIM
--
-- Each resource fact's combination of attribute values in each user-data dimension (etl.user_data_dims
-- entry n: USER_DATA_CUST_DIM_<n>), and the combination's key: a hash of the dimension, the tenant and
-- the five values (a value missing is part of the combination), so the same combination always has
-- the same key and IRF_USER_DATA_KEYS.CUSTOM_KEY_<n> needs no lookup.
WITH dims AS (
  SELECT DISTINCT TABLE_NAME FROM _T_UD_MAP WHERE TABLE_NAME LIKE 'USER\_DATA\_CUST\_DIM\_%' ESCAPE '\'
),
attributes AS (
  SELECT u.ID, u.TENANT_KEY, d.TABLE_NAME,
         max(v.VALUE) FILTER (v.COLUMN_NAME = 'DIM_ATTRIBUTE_1') AS DIM_ATTRIBUTE_1,
         max(v.VALUE) FILTER (v.COLUMN_NAME = 'DIM_ATTRIBUTE_2') AS DIM_ATTRIBUTE_2,
         max(v.VALUE) FILTER (v.COLUMN_NAME = 'DIM_ATTRIBUTE_3') AS DIM_ATTRIBUTE_3,
         max(v.VALUE) FILTER (v.COLUMN_NAME = 'DIM_ATTRIBUTE_4') AS DIM_ATTRIBUTE_4,
         max(v.VALUE) FILTER (v.COLUMN_NAME = 'DIM_ATTRIBUTE_5') AS DIM_ATTRIBUTE_5
  FROM _T_UD_UNIT AS u CROSS JOIN dims AS d
  LEFT JOIN _T_IRF_UD AS v ON v.ID = u.ID AND v.TABLE_NAME = d.TABLE_NAME
  GROUP BY u.ID, u.TENANT_KEY, d.TABLE_NAME
)
SELECT *, idb_key(TABLE_NAME || '|' || coalesce(TENANT_KEY, -1) || '|' || to_json([DIM_ATTRIBUTE_1, DIM_ATTRIBUTE_2,
  DIM_ATTRIBUTE_3, DIM_ATTRIBUTE_4, DIM_ATTRIBUTE_5])) AS DIM_ID
FROM attributes
