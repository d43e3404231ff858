-- model: static_dimensions
-- layer: dimension
--
-- Dimensions whose rows are fixed by this project (MART.md codes), inserted where missing.
INSERT INTO MEDIA_TYPE SELECT * FROM (VALUES (0, 'VOICE', 'Voice'), (1, 'EMAIL', 'E-mail'), (2, 'CHAT', 'Chat'))
  AS v(k, c, n) WHERE k NOT IN (SELECT MEDIA_TYPE_KEY FROM MEDIA_TYPE);
INSERT INTO INTERACTION_TYPE SELECT * FROM (VALUES
  (1, 'INTERNAL', 'INTERNALCOLLABORATION'), (2, 'INBOUND', 'INBOUNDNEW'), (3, 'OUTBOUND', 'OUTBOUNDNEW'),
  (4, 'INTERNAL', 'CONSULT'), (0, 'UNKNOWN', 'UNKNOWN')) AS v(k, c, s) WHERE k NOT IN (SELECT INTERACTION_TYPE_KEY FROM INTERACTION_TYPE);
INSERT INTO RESOURCE_STATE SELECT * FROM (VALUES
  (1, 'LOGGEDIN', 'Logged in', 1), (2, 'NOTREADY', 'Not ready', 2), (3, 'READY', 'Ready', 3),
  (4, 'AFTERCALLWORK', 'After-call work', 4), (5, 'BUSY', 'Busy', 5), (6, 'DND', 'Do not disturb', 6),
  (0, 'UNKNOWN', 'Unknown', NULL)) AS v(k, c, n, s) WHERE k NOT IN (SELECT RESOURCE_STATE_KEY FROM RESOURCE_STATE);
-- Info Mart's technical descriptors (GIMTechDescr, Table-TECHNICAL_DESCRIPTOR): the resource's role and
-- the reason for it (a conference's initiator and members are role reasons), how the attempt ended and
-- why, each code with its display name. Rows made before role reasons and names get them here.
CREATE OR REPLACE TEMP TABLE _T_TD_NAME AS SELECT * FROM (VALUES
  ('RECEIVED', 'Received'), ('INITIATED', 'Initiated'), ('RECEIVEDCONSULT', 'ReceivedConsult'),
  ('INITIATEDCONSULT', 'InitiatedConsult'), ('UNSPECIFIED', 'Unspecified'),
  ('CONFERENCEINITIATOR', 'ConferenceInitiator'), ('CONFERENCEJOINED', 'ConferenceJoined'),
  ('COMPLETED', 'Completed'), ('TRANSFERRED', 'Transferred'), ('CONFERENCED', 'Conferenced'),
  ('REDIRECTED', 'Redirected'), ('DIVERTED', 'Diverted'), ('CLEARED', 'Cleared'), ('ABANDONED', 'Abandoned'),
  ('UNKNOWN', 'Unknown'), ('ABANDONEDWHILERINGING', 'AbandonedWhileRinging'),
  ('ABANDONEDFROMHOLD', 'AbandonedFromHold'), ('ABANDONEDWHILEQUEUED', 'AbandonedWhileQueued')
) AS v(CODE, NAME);
INSERT INTO TECHNICAL_DESCRIPTOR BY NAME
SELECT technical_descriptor_key(r, rr, t, x) AS TECHNICAL_DESCRIPTOR_KEY, r AS RESOURCE_ROLE_CODE,
       rr AS ROLE_REASON_CODE, t AS TECHNICAL_RESULT_CODE, x AS RESULT_REASON_CODE
FROM (VALUES ('RECEIVED'), ('INITIATED'), ('RECEIVEDCONSULT'), ('INITIATEDCONSULT')) AS a(r),
     (VALUES ('UNSPECIFIED'), ('CONFERENCEINITIATOR'), ('CONFERENCEJOINED')) AS c(rr),
     (VALUES ('COMPLETED', NULL), ('TRANSFERRED', NULL), ('CONFERENCED', NULL), ('REDIRECTED', NULL),
             ('DIVERTED', NULL), ('CLEARED', NULL), ('ABANDONED', 'ABANDONEDWHILERINGING'),
             ('ABANDONED', 'ABANDONEDFROMHOLD'), ('ABANDONED', 'ABANDONEDWHILEQUEUED'), ('ABANDONED', NULL),
             ('UNKNOWN', NULL)) AS b(t, x)
WHERE technical_descriptor_key(r, rr, t, x) NOT IN (SELECT TECHNICAL_DESCRIPTOR_KEY FROM TECHNICAL_DESCRIPTOR);
UPDATE TECHNICAL_DESCRIPTOR AS d SET
  ROLE_REASON_CODE = coalesce(d.ROLE_REASON_CODE, 'UNSPECIFIED'),
  RESOURCE_ROLE = (SELECT NAME FROM _T_TD_NAME WHERE CODE = d.RESOURCE_ROLE_CODE),
  ROLE_REASON = (SELECT NAME FROM _T_TD_NAME WHERE CODE = coalesce(d.ROLE_REASON_CODE, 'UNSPECIFIED')),
  TECHNICAL_RESULT = (SELECT NAME FROM _T_TD_NAME WHERE CODE = d.TECHNICAL_RESULT_CODE),
  RESULT_REASON = (SELECT NAME FROM _T_TD_NAME WHERE CODE = d.RESULT_REASON_CODE)
WHERE d.RESOURCE_ROLE IS NULL;
