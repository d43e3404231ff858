-- model: transform_discards
-- layer: control
--
-- STG_TRANSFORM_DISCARDS: this cycle's discards (discards.sql) replace those of the same rows listed
-- before, with the run that listed them ($run_id).
DELETE FROM STG_TRANSFORM_DISCARDS d USING _T_DISCARD n
WHERE d.TABLE_NAME = n.TABLE_NAME AND d.ROW_KEY = n.ROW_KEY AND d.SOURCE_NAME = n.SOURCE_NAME;
INSERT INTO STG_TRANSFORM_DISCARDS BY NAME SELECT $run_id AS RUN_ID, * FROM _T_DISCARD;
