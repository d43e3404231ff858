-- Control tables: present in every IDB, whatever its roles.

-- Data source sessions: one row per connection of ICON to one data source. This one shape is
-- created once per ICON role, as G_DSS_GCC_PROVIDER, G_DSS_GLS_PROVIDER, G_DSS_GUD_PROVIDER,
-- G_DSS_CFG_PROVIDER and G_DSS_GOS_PROVIDER (idbmart/idb/schema.py does the expansion).
-- A session covers [DSCONN_STIME, coalesce(DSCONN_ETIME, ICON_ETIME)); an open end means still
-- connected, covered up to LEVENT_ITIME. Every operational row's GSYS_DOMAIN is a DSS_ID here.
CREATE TABLE G_DSS_PROVIDER (
  DSS_ID        BIGINT NOT NULL,
  ICON_DBID     INTEGER NOT NULL,
  DS_DBID       INTEGER,
  DS2_DBID      INTEGER,      -- the switch
  DS_TYPE       SMALLINT,     -- enums.DsType
  ICON_STIME    TIMESTAMP,
  DSCONN_STIME  TIMESTAMP,
  DSCONN_TYPE   SMALLINT,     -- enums.DsConnType
  ICON_ETIME    TIMESTAMP,
  DSCONN_ETIME  TIMESTAMP,
  FEVENT_ITIME  TIMESTAMP,
  LEVENT_ITIME  TIMESTAMP,
  PRIMARY KEY (DSS_ID)
);

-- SEQCURRENT: the highest GSYS_SEQ / GSYS_USEQ safely committed (a safe high-water mark).
CREATE TABLE G_PROV_CONTROL (
  PRIMARYID     INTEGER NOT NULL,
  PROVIDERTAG   VARCHAR(64),
  SEQCOUNTER    BIGINT,
  SEQCURRENT    BIGINT,
  PRIMARY KEY (PRIMARYID)
);

-- The system block that ends every operational table (cfg, gcc, gud, gls, gos). Written once
-- here and appended by idbmart/idb/schema.py, so each table below lists only its own columns.
CREATE TABLE GSYS_SYSTEM_BLOCK (
  GSYS_DOMAIN     BIGINT,       -- DSS_ID of the session active when ICON wrote the row
  GSYS_PARTITION  INTEGER,
  GSYS_SYS_ID     INTEGER,
  GSYS_SEQ        BIGINT,       -- insert sequence
  GSYS_USEQ       BIGINT,       -- update sequence
  GSYS_TS         TIMESTAMP,
  GSYS_TC         INTEGER,
  GSYS_EXT_VCH1   VARCHAR(255), -- SIP Cluster: the DN name on agent tables
  GSYS_EXT_VCH2   VARCHAR(255),
  GSYS_EXT_INT1   INTEGER,
  GSYS_EXT_INT2   INTEGER
);
