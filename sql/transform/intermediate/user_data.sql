-- model: user_data
-- layer: intermediate
-- runs: slice
-- target: _T_UD
--
-- The latest value of every mapped user-data key per interaction in scope (user_data_changes.sql):
-- the interaction's business attributes and IVR application. A deleted key has no value.
SELECT ROOT, KEYNAME, CASE WHEN arg_max(CHANGETYPE, (ADDED_TS, CSEQ)) = UserDataChangeType.DELETED THEN NULL
                            ELSE arg_max(VALUE, (ADDED_TS, CSEQ)) END AS VALUE
FROM _T_UD_CHANGE GROUP BY ALL
