-- Attached data (role gud). Secure user data is personal data: it never enters the mart unless
-- a key is explicitly allowed by configuration.

CREATE TABLE G_USERDATA_HISTORY (
  ID          BIGINT NOT NULL,
  CALLID      VARCHAR(64) NOT NULL,
  PARTYID     VARCHAR(64),
  ENDPOINTID  INTEGER,
  KEYNAME     VARCHAR(255),
  VALUE       VARCHAR(255),
  CHANGETYPE  SMALLINT,           -- enums.UserDataChangeType
  CSEQ        INTEGER,
  ADDED       TIMESTAMP,
  ADDED_TS    INTEGER
);

CREATE TABLE G_SECURE_USERDATA_HISTORY (
  ID          BIGINT NOT NULL,
  CALLID      VARCHAR(64) NOT NULL,
  PARTYID     VARCHAR(64),
  ENDPOINTID  INTEGER,
  KEYNAME     VARCHAR(255),
  VALUE       VARCHAR(255),
  CHANGETYPE  SMALLINT,           -- enums.UserDataChangeType
  CSEQ        INTEGER,
  ADDED       TIMESTAMP,
  ADDED_TS    INTEGER
);
