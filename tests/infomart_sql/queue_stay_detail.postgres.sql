-- dialect: postgres
-- follows: a detail listing of queue stays with their call, interaction type, queue and the agent they
--   reached, through MEDIATION_SEGMENT_FACT's own MEDIA_SERVER_IXN_GUID and INTERACTION_TYPE_KEY
--   (BLCKHWK60/SQL_Repository, Macys_Chat_Survey_Research.sql; by its voice calls here)
SELECT dt.label_yyyy_mm_dd AS date, mt.media_name AS media_type, cast(msf.interaction_id AS bigint) AS interaction_id,
       cast(msf.target_ixn_resource_id AS bigint) AS target_interaction_resource_id,
       msf.media_server_ixn_guid AS guid, rq.resource_name AS mediation_dn, ra.resource_name AS agent_name,
       it.interaction_type
FROM mediation_segment_fact msf
INNER JOIN interaction_fact intf ON intf.interaction_id = msf.interaction_id
INNER JOIN interaction_resource_fact irf ON irf.interaction_resource_id = msf.target_ixn_resource_id
JOIN (SELECT resource_.* FROM resource_ WHERE resource_type_code = 'AGENT' AND resource_subtype = 'Agent') ra
  ON irf.resource_key = ra.resource_key
JOIN (SELECT resource_.* FROM resource_ WHERE resource_type_code IN ('QUEUE', 'VIRTUALQUEUE', 'NONE', 'UNKNOWN')) rq
  ON msf.resource_key = rq.resource_key
INNER JOIN interaction_type it ON it.interaction_type_key = msf.interaction_type_key
INNER JOIN date_time dt ON dt.date_time_key = msf.start_date_time_key
INNER JOIN media_type mt ON mt.media_type_key = msf.media_type_key
WHERE dt.cal_date >= DATE '2020-01-01'
