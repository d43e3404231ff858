-- model: outbound_unknown_codes
-- layer: dimension
-- depends_on: outbound_fixed_dimensions
--
-- Codes an OCS reported that idbmart/idb/enums.py does not know still get a dimension row (no fact
-- points at a missing key): 'DIALING_MODE_<n>', 'CALL_RESULT_<n>' of type OTHER.
INSERT INTO DIALING_MODE SELECT DISTINCT k, 'DIALING_MODE_' || k FROM (
  SELECT DIALING_MODE_KEY AS k FROM _T_CAF UNION SELECT DIALING_MODE_KEY FROM _T_CGS)
WHERE k IS NOT NULL AND k NOT IN (SELECT DIALING_MODE_KEY FROM DIALING_MODE);
INSERT INTO CALL_RESULT SELECT DISTINCT CALL_RESULT_KEY, 'CALL_RESULT_' || CALL_RESULT_KEY, 'OTHER'
FROM _T_CAF WHERE CALL_RESULT_KEY IS NOT NULL
  AND CALL_RESULT_KEY NOT IN (SELECT CALL_RESULT_KEY FROM CALL_RESULT);
