-- model: sm_res_session_fact
-- layer: fact
-- target: SM_RES_SESSION_FACT
-- key: SM_RES_SESSION_FACT_KEY
-- scope: LOGIN_SESSION_KEY IN (SELECT ENTITY_KEY FROM _T_SESSION)
--
-- SM_RES_SESSION_FACT of the login sessions in scope: the rows of sm_res_session_fact_rows.
SELECT * FROM _T_SMS
