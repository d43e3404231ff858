-- Every column of every table the source's current schema holds: what the schema check compares
-- with the IDB model of sql/idb/. Names come back as stored (PostgreSQL folds unquoted names to
-- lower case); the check matches them case-insensitively.
SELECT
  table_name  AS "TABLE_NAME",
  column_name AS "COLUMN_NAME",
  data_type   AS "DATA_TYPE"
FROM information_schema.columns
WHERE table_schema = CURRENT_SCHEMA
ORDER BY table_name, ordinal_position
