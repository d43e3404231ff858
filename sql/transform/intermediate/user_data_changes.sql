-- model: user_data_changes
-- layer: intermediate
-- runs: slice
-- target: _T_UD_CHANGE
--
-- Every change of every mapped user-data key (_T_UD_MAP) of the interactions in scope, from the
-- interaction's own IDB or a gud-only IDB (user data by CALLID), secure user data included only for
-- the keys extraction let through (etl.secure_userdata_keys): the history the propagation rules read.
-- User data is added while its call goes on, so from the slice's first call on, less the hour of
-- clocks $ixn_from allows (a gud-only IDB's ICON stamps by its own host's clock): read by time, as
-- a look-up by CALLID alone reads every day GIDB keeps.
WITH calls AS (SELECT DISTINCT ROOT, CALLID FROM _T_PARTY)
SELECT c.ROOT, u.KEYNAME, u.VALUE, u.CHANGETYPE, u.ADDED_TS, u.CSEQ
FROM GIDB_G_USERDATA_HISTORY AS u JOIN calls AS c ON c.CALLID = u.CALLID
WHERE u.KEYNAME IN (SELECT KEYNAME FROM _T_UD_MAP)
  AND (in_ixn_time(u.ADDED_TS, $ixn_from) OR NOT plausible_ts(u.ADDED_TS))
UNION ALL
SELECT c.ROOT, u.KEYNAME, u.VALUE, u.CHANGETYPE, u.ADDED_TS, u.CSEQ
FROM GIDB_G_SECURE_USERDATA_HISTORY AS u JOIN calls AS c ON c.CALLID = u.CALLID
WHERE u.KEYNAME IN (SELECT KEYNAME FROM _T_UD_MAP)
  AND (in_ixn_time(u.ADDED_TS, $ixn_from) OR NOT plausible_ts(u.ADDED_TS))
