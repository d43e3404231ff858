-- Control tables of the mart (MART.md "Control"), DuckDB dialect. Every write to them happens in the
-- transaction of the cycle it describes: a cycle that does not commit leaves no trace here either.

-- One row per committed run step: what the cycle did, in numbers.
CREATE TABLE IF NOT EXISTS CTL_AUDIT_LOG (
  AUDIT_KEY          BIGINT PRIMARY KEY,   -- RUN_ID * 100 + step number
  RUN_ID             BIGINT NOT NULL,
  JOB                VARCHAR NOT NULL,     -- run, backfill, nightly
  STEP               VARCHAR NOT NULL,     -- extract, ha, ...
  STATUS             VARCHAR NOT NULL,     -- ok, partial (some sources skipped), warned (quality), failed
  STARTED_AT         TIMESTAMP,
  ENDED_AT           TIMESTAMP,
  MIN_DATE_TIME_KEY  BIGINT,               -- first 15-minute interval touched (UTC seconds)
  MAX_DATE_TIME_KEY  BIGINT,
  SOURCES_OK         INTEGER,
  SOURCES_SKIPPED    INTEGER,
  ENTITIES           BIGINT,               -- entities extracted (extract) or decided (ha)
  ROWS_IN            BIGINT,               -- rows read from sources (extract) or staging (ha)
  ROWS_INSERTED      BIGINT,
  ROWS_DELETED       BIGINT,
  CHANGED            BIGINT,               -- ha: decisions that changed member
  DETAIL             VARCHAR
);

-- Per source IDB and table, per run: the window read and what it gave. The next window of a source
-- starts at its highest SEQ_TO / TIME_TO with STATUS 'ok'.
CREATE TABLE IF NOT EXISTS CTL_EXTRACT_HISTORY (
  RUN_ID       BIGINT NOT NULL,
  SOURCE_NAME  VARCHAR NOT NULL,
  TABLE_NAME   VARCHAR NOT NULL,           -- '*' for a source that was skipped
  ICON_DBID    INTEGER,
  DSS_ID       BIGINT,                     -- the newest data source session seen
  SEQ_FROM     BIGINT,                     -- window (SEQ_FROM, SEQ_TO] of GSYS_SEQ / GSYS_USEQ
  SEQ_TO       BIGINT,                     -- G_PROV_CONTROL.SEQCURRENT: the high-water mark
  TIME_FROM    BIGINT,                     -- window (TIME_FROM, TIME_TO] of the source's clock
  TIME_TO      BIGINT,                     -- its last stored event (LEVENT_ITIME)
  ENTITIES     BIGINT,
  ROWS         BIGINT,
  DUPLICATES   BIGINT,                     -- rows ICON delivered twice, kept once
  STARTED_AT   TIMESTAMP,
  ENDED_AT     TIMESTAMP,
  STATUS       VARCHAR NOT NULL,           -- ok, skipped
  MESSAGE      VARCHAR
);

-- Data source sessions of every reachable source as last read: what the HA choice judges coverage by.
CREATE TABLE IF NOT EXISTS CTL_DSS_SESSION (
  SOURCE_NAME    VARCHAR NOT NULL,
  ROLE           VARCHAR NOT NULL,
  DSS_ID         BIGINT NOT NULL,
  ICON_DBID      INTEGER,
  DS_DBID        INTEGER,
  DS2_DBID       INTEGER,
  DS_TYPE        SMALLINT,
  DSCONN_TYPE    SMALLINT,
  START_TS       BIGINT NOT NULL,          -- DSCONN_STIME
  END_TS         BIGINT,                   -- coalesce(DSCONN_ETIME, ICON_ETIME); NULL: still connected
  LAST_EVENT_TS  BIGINT,                   -- LEVENT_ITIME
  COVERED_TO_TS  BIGINT NOT NULL,          -- end of coverage: END_TS, or LAST_EVENT_TS + 1 while open
  RUN_ID         BIGINT NOT NULL,
  PRIMARY KEY (SOURCE_NAME, ROLE, DSS_ID)
);

-- Each member's version of each entity it holds (the rows are in STG_<TABLE>).
-- One row per (SOURCE_NAME, ENTITY_KIND, ENTITY_KEY), kept so by the staging merge (it deletes a
-- version before inserting the new one), not by a PRIMARY KEY: DuckDB's index of three text columns
-- took 20 times the table's size and cost more than the rows at every insert and checkpoint
-- (idbmart/load/mart.py, unkeyed). The same holds for CTL_HA_DECISION by (HA_SET, ENTITY_KIND, ENTITY_KEY).
CREATE TABLE IF NOT EXISTS STG_ENTITY (
  SOURCE_NAME  VARCHAR NOT NULL,
  HA_SET       VARCHAR NOT NULL,
  ENTITY_KIND  VARCHAR NOT NULL,
  ENTITY_KEY   VARCHAR NOT NULL,
  START_TS     BIGINT,
  END_TS       BIGINT,
  STUCK        BOOLEAN NOT NULL,
  RUN_ID       BIGINT NOT NULL,            -- the run that extracted this version
  TABLES       VARCHAR[]                   -- the kind's tables this version has rows in (the HA choice's evidence)
);

-- The versions in STG_ENTITY still open (END_TS NULL: stuck, or a chat still active), with the run that
-- staged each: no time bounds them, so a cycle finds those of its entities here and reads them by run
-- (idbmart/extract/reach.py). Kept in step with STG_ENTITY by the staging merge.
CREATE TABLE IF NOT EXISTS STG_ENTITY_OPEN (
  SOURCE_NAME  VARCHAR NOT NULL,
  HA_SET       VARCHAR NOT NULL,
  ENTITY_KIND  VARCHAR NOT NULL,
  ENTITY_KEY   VARCHAR NOT NULL,
  RUN_ID       BIGINT NOT NULL             -- STG_ENTITY.RUN_ID of the version
);

-- The versions the HA choice would take but whose rows the mart no longer holds (a member's rows are
-- kept only while it is chosen): each is read again from its member at the next cycle that reaches
-- the member (idbmart/ha/choose.py), and the choice waits for it.
CREATE TABLE IF NOT EXISTS STG_HA_REREAD (
  SOURCE_NAME  VARCHAR NOT NULL,
  HA_SET       VARCHAR NOT NULL,
  ENTITY_KIND  VARCHAR NOT NULL,
  ENTITY_KEY   VARCHAR NOT NULL,
  RUN_ID       BIGINT NOT NULL             -- the run that asked for it
);

-- The HA choice: for every HA set and entity, the member its GIDB rows come from, and why.
CREATE TABLE IF NOT EXISTS CTL_HA_DECISION (
  HA_SET       VARCHAR NOT NULL,
  ENTITY_KIND  VARCHAR NOT NULL,
  ENTITY_KEY   VARCHAR NOT NULL,
  SOURCE_NAME  VARCHAR NOT NULL,           -- the member chosen
  REASON       VARCHAR NOT NULL,           -- see docs/architecture.md, "HA choice"
  START_TS     BIGINT,                     -- the entity's lifetime judged, [START_TS, END_TS]
  END_TS       BIGINT,
  STUCK_FLAG   BOOLEAN NOT NULL,
  MEMBERS      INTEGER NOT NULL,           -- members holding a version
  CANDIDATES   STRUCT(SOURCE_NAME VARCHAR, PRIMARY_MEMBER BOOLEAN, TERMINATED BOOLEAN, COVERED_S BIGINT)[],
  PREV_SOURCE  VARCHAR,                    -- the member chosen before, if the choice changed
  RUN_ID       BIGINT NOT NULL             -- the run that last decided
);

-- The keys of the rows idbmart.load.merge.replace deleted from a mart table, with the audit key of the
-- step and the row's START_TS or DATE_TIME_KEY: publishing deletes them from the readers' buffers
-- (idbmart/load/publish.py), and forgets them once both buffers have.
CREATE TABLE IF NOT EXISTS CTL_PUBLISH_GONE (
  TABLE_NAME   VARCHAR NOT NULL,
  KEY_JSON     VARCHAR NOT NULL,           -- the row's key columns, as a JSON object
  PRUNE_VALUE  BIGINT,                     -- its START_TS or DATE_TIME_KEY, where the table has one
  AUDIT_KEY    BIGINT NOT NULL
);

-- The run each readers' store beyond the mart's folder holds (the PostgreSQL readers' mart), written
-- after that store committed it (idbmart/load/publish_postgresql.py).
CREATE TABLE IF NOT EXISTS CTL_PUBLISHED_READERS (
  READER       VARCHAR NOT NULL,
  RUN_ID       BIGINT NOT NULL,
  MODE         VARCHAR NOT NULL,
  PUBLISHED_AT TIMESTAMP NOT NULL
);

-- Input rows that could not be used, with the reason: nothing is dropped silently.
CREATE TABLE IF NOT EXISTS STG_TRANSFORM_DISCARDS (
  RUN_ID       BIGINT NOT NULL,
  SOURCE_NAME  VARCHAR,
  TABLE_NAME   VARCHAR NOT NULL,
  COLUMN_NAME  VARCHAR,
  ROW_KEY      VARCHAR,
  REASON       VARCHAR NOT NULL,
  ROW_JSON     VARCHAR
);

-- What the AG2_* aggregates were last built with (idbmart/aggregate/build.py): the settings they depend
-- on besides the facts (time zone, thresholds, buckets) and a hash of them and of the aggregate SQL.
-- A cycle that finds another fingerprint rebuilds every aggregate from the facts.
CREATE TABLE IF NOT EXISTS CTL_AGGREGATE_SETTINGS (
  FINGERPRINT  VARCHAR NOT NULL,
  TIME_ZONE    VARCHAR NOT NULL,
  SETTINGS     VARCHAR NOT NULL,           -- JSON
  CREATE_AUDIT_KEY BIGINT NOT NULL         -- the aggregate step that built them
);

-- What DATE_TIME's rows were made with besides their keys (idbmart/transform/calendar.py): a cycle
-- that finds other settings makes every row again; otherwise it only adds the days it lacks.
CREATE TABLE IF NOT EXISTS CTL_CALENDAR_SETTINGS (
  SETTINGS     VARCHAR NOT NULL
);

-- Every expectation of every quality run (idbmart/quality): the cycle's gate (SCOPE cycle: the rows it
-- wrote) and the nightly full run (SCOPE full). A failed gate's rows are written after its rollback.
CREATE TABLE IF NOT EXISTS CTL_QUALITY_RESULT (
  RUN_ID       BIGINT NOT NULL,
  JOB          VARCHAR NOT NULL,
  SCOPE        VARCHAR NOT NULL,           -- cycle, full
  SUITE        VARCHAR NOT NULL,           -- expectations/<SUITE>.json
  EXPECTATION  VARCHAR NOT NULL,
  COLUMN_NAME  VARCHAR,
  SUCCESS      BOOLEAN NOT NULL,
  ROWS_CHECKED BIGINT,
  UNEXPECTED   BIGINT,
  OBSERVED     VARCHAR,
  EXAMPLES     VARCHAR,                    -- the first failing rows' keys (or values)
  CHECKED_AT   TIMESTAMP,
  SEVERITY     VARCHAR DEFAULT 'block'     -- block (a failure rolls the cycle back), warn (recorded only)
);

-- GDPR requests (idbmart/load/gdpr.py; Info Mart 8.5.010's CTL_GDPR_HISTORY): each subject forgotten,
-- kept as the SHA-256 of its value (never the value), which every later cycle redacts where it stages
-- it; and one row per field a request changed.
CREATE TABLE IF NOT EXISTS CTL_GDPR_SUBJECT (
  KIND         VARCHAR NOT NULL,           -- customer_number, user_data, employee
  HASH         VARCHAR NOT NULL,           -- sha256 of the value
  REQUEST_ID   BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS CTL_GDPR_HISTORY (
  REQUEST_ID   BIGINT NOT NULL,
  ACTION       VARCHAR NOT NULL,           -- forget
  TABLE_NAME   VARCHAR NOT NULL,
  COLUMN_NAME  VARCHAR NOT NULL,
  ROWS_CHANGED BIGINT NOT NULL,
  APPLIED_AT   TIMESTAMP NOT NULL
);
