-- model: user_data
-- layer: intermediate
-- runs: slice
-- target: _T_UD
--
-- The latest value of every mapped user-data key (_T_UD_MAP) per interaction in scope, from the
-- interaction's own IDB or a gud-only IDB (user data by CALLID), secure user data included only for
-- the keys extraction let through (etl.secure_userdata_keys). A deleted key has no value.
WITH calls AS (SELECT DISTINCT ROOT, CALLID FROM _T_PARTY),
rows AS (
  SELECT c.ROOT, u.KEYNAME, u.VALUE, u.CHANGETYPE, u.ADDED_TS, u.CSEQ
  FROM GIDB_G_USERDATA_HISTORY AS u JOIN calls AS c ON c.CALLID = u.CALLID
  WHERE u.KEYNAME IN (SELECT KEYNAME FROM _T_UD_MAP)
  UNION ALL
  SELECT c.ROOT, u.KEYNAME, u.VALUE, u.CHANGETYPE, u.ADDED_TS, u.CSEQ
  FROM GIDB_G_SECURE_USERDATA_HISTORY AS u JOIN calls AS c ON c.CALLID = u.CALLID
  WHERE u.KEYNAME IN (SELECT KEYNAME FROM _T_UD_MAP)
)
SELECT ROOT, KEYNAME, CASE WHEN arg_max(CHANGETYPE, (ADDED_TS, CSEQ)) = 3 THEN NULL
                            ELSE arg_max(VALUE, (ADDED_TS, CSEQ)) END AS VALUE
FROM rows GROUP BY ALL
