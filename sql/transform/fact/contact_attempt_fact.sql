-- model: contact_attempt_fact
-- layer: fact
-- target: CONTACT_ATTEMPT_FACT
-- key: CONTACT_ATTEMPT_FACT_KEY
-- scope: CHAIN_GUID IN (SELECT CHAINGUID FROM _T_CHAIN)
--
-- CONTACT_ATTEMPT_FACT of the chains in scope: the rows of contact_attempt_fact_rows, with the record
-- fields etl.record_fields maps (contact_attempt_record_fields).
SELECT * FROM _T_CAF LEFT JOIN _T_CAF_FIELDS USING (CONTACT_ATTEMPT_FACT_KEY)
