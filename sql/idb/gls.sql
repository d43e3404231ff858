-- Agents (role gls): login sessions, the DNs of a session, agent states and reason codes.
-- In SIP Cluster: LOGINID and PLACEID NULL, ENDPOINTID 0, the DN name in GSYS_EXT_VCH1.

CREATE TABLE G_LOGIN_SESSION (
  LOGINSESSIONID   VARCHAR(64) NOT NULL,
  AGENTID          INTEGER,         -- person DBID; NULL if no person is configured
  LOGINID          VARCHAR(255),
  PLACEID          INTEGER,
  STATE            SMALLINT,        -- enums.LoginSessionState
  PRIMARYDEVICEID  INTEGER,         -- DN DBID
  SWITCHID         INTEGER,
  TENANTID         INTEGER,
  MEDIATYPE        SMALLINT,        -- enums.MediaType
  CREATED          TIMESTAMP,
  CREATED_TS       INTEGER,
  TERMINATED       TIMESTAMP,
  TERMINATED_TS    INTEGER
);

CREATE TABLE GX_SESSION_ENDPOINT (
  LOGINSESSIONID  VARCHAR(64) NOT NULL,
  AGENTID         INTEGER,
  ENDPOINTID      INTEGER,
  ENDPOINTTYPE    SMALLINT,
  QUEUEID         INTEGER,
  PLACEID         INTEGER,
  STATE           SMALLINT,
  CREATED_TS      INTEGER,
  TERMINATED_TS   INTEGER
);

CREATE TABLE G_AGENT_STATE_HISTORY (
  LOGINSESSIONID  VARCHAR(64) NOT NULL,
  AGENTID         INTEGER,
  ENDPOINTID      INTEGER,
  QUEUEID         INTEGER,
  TYPE            SMALLINT,         -- enums.AgentStateType
  STATE           SMALLINT,         -- enums.AgentState
  PENDINGSTATE    SMALLINT,
  SEQ             INTEGER,
  WORKMODE        SMALLINT,
  ADDED           TIMESTAMP,
  ADDED_TS        INTEGER
);

CREATE TABLE G_AGENT_STATE_RC (
  SESSIONID      VARCHAR(64) NOT NULL,
  ENDPOINTID     INTEGER,
  QUEUEID        INTEGER,
  AGENTSTATE     SMALLINT,          -- enums.AgentState
  WORKMODE       SMALLINT,
  HWFLAG         SMALLINT,
  KEYNAME        VARCHAR(255),
  VALUE          VARCHAR(255),
  ADDED_TS       INTEGER,           -- reason start
  TERMINATED_TS  INTEGER            -- reason end
);
