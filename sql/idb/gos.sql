-- Outbound (role gos), from Outbound Contact Server. Unique record identity [doc]:
-- SESSID, OCSID, CALLINGLISTID, RECORDHANDLE, CHAINGUID, TYPE, CALLATTID, ADDED_TS.
-- Campaign-level data by SESSID, chain-level data by CHAINGUID.

CREATE TABLE GO_CAMPAIGN (
  SESSID         VARCHAR(64) NOT NULL,  -- one per campaign load
  CAMPAIGNID     INTEGER,
  GROUPID        INTEGER,
  STATE          SMALLINT,              -- enums.CampaignState
  OCSID          INTEGER,
  DIALMODE       SMALLINT,
  CREATED_TS     INTEGER,
  TERMINATED_TS  INTEGER
);

CREATE TABLE GO_CAMPAIGNHISTORY (
  SESSID     VARCHAR(64) NOT NULL,
  STATE      SMALLINT,                  -- enums.CampaignState
  PREVSTATE  SMALLINT,
  CAUSE      INTEGER,
  ADDED_TS   INTEGER
);

CREATE TABLE GO_CHAIN (
  CHAINGUID      VARCHAR(64) NOT NULL,
  SESSID         VARCHAR(64),
  CAMPAIGNID     INTEGER,
  GROUPID        INTEGER,
  CALLINGLISTID  INTEGER,
  RECORDHANDLE   INTEGER,
  STATE          SMALLINT,              -- enums.ChainState
  CREATED_TS     INTEGER,
  TERMINATED_TS  INTEGER
);

CREATE TABLE GO_CHAINREC_HIST (
  CHAINGUID     VARCHAR(64) NOT NULL,
  RECORDHANDLE  INTEGER,
  STATE         SMALLINT,               -- enums.ChainState
  PREVSTATE     SMALLINT,
  CALLATTID     VARCHAR(64),
  CALLRESULT    INTEGER,
  ADDED_TS      INTEGER
);

CREATE TABLE GOX_CHAIN_CALL (
  CALLID     VARCHAR(64) NOT NULL,
  CHAINGUID  VARCHAR(64) NOT NULL,
  CALLATTID  VARCHAR(64),
  ADDED      TIMESTAMP,
  ADDED_TS   INTEGER
);

-- Precalculated OCS metrics, identified by object id and metric timestamp.
CREATE TABLE GO_METRICS (
  OBJECTID    INTEGER NOT NULL,
  OBJECTTYPE  SMALLINT,                 -- enums.MetricObjectType
  METRICID    INTEGER NOT NULL,
  VALUE       BIGINT,
  ADDED_TS    INTEGER
);

-- Written where ICON is configured to keep them (ICON PDM; optional here). Campaign property changes
-- during a session: the dialing mode in effect at each moment.
CREATE TABLE GO_CAMPPROP_HIST (
  SESSID         VARCHAR(64) NOT NULL,
  SEQ            INTEGER,
  DIALMODE       SMALLINT,              -- enums.DialMode
  PREVDIALMODE   SMALLINT,
  OPTIMMODE      INTEGER,
  OPTIMVALUE     INTEGER,
  ADDED_TS       INTEGER
);

-- A record's custom fields (current values) and their change history during chain processing. The
-- protected fields (GO_SECURE_FIELDS, GO_SEC_FIELDHIST) are never read: they stay in the IDB.
CREATE TABLE GO_CUSTOM_FIELDS (
  CHAINGUID        VARCHAR(64) NOT NULL,
  RECORDHANDLE     INTEGER,
  FIELDID          INTEGER,
  VALUE            VARCHAR(4000),
  LASTCHAINUPDSEQ  INTEGER,
  LASTCHANGED_TS   INTEGER,
  LOADED_TS        INTEGER
);

CREATE TABLE GO_FIELDHIST (
  CHAINGUID      VARCHAR(64) NOT NULL,
  RECORDHANDLE   INTEGER,
  FIELDID        INTEGER,
  OLDVALUE       VARCHAR(255),
  NEWVALUE       VARCHAR(255),
  SEQ            INTEGER,
  CHAINHISTSEQ   INTEGER,
  CALLATTID      VARCHAR(64),
  ADDED_TS       INTEGER
);
