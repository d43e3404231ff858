-- model: resource
-- layer: dimension
-- target: RESOURCE_
-- key: RESOURCE_KEY
--
-- RESOURCE_, rebuilt from configuration (latest version of each object; START_TS its first version,
-- END_TS its deletion, else the sentinel) and from the resources facts met (STG_RESOURCE_SEEN).
-- DNs of SIP Cluster switches are never taken from configuration: they are identified by name and
-- switch (SIP Cluster guide), so a configured DN row there only lends its DN type.
WITH latest_agent AS (
  SELECT *, min(CREATED_TS) OVER (PARTITION BY AGENTID) AS FIRST_TS FROM GIDB_GC_AGENT
  QUALIFY row_number() OVER (PARTITION BY AGENTID ORDER BY CREATED_TS DESC) = 1
),
latest_dn AS (
  SELECT *, min(CREATED_TS) OVER (PARTITION BY ENDPOINTID) AS FIRST_TS FROM GIDB_GC_ENDPOINT
  QUALIFY row_number() OVER (PARTITION BY ENDPOINTID ORDER BY CREATED_TS DESC) = 1
),
latest_app AS (
  SELECT *, min(CREATED_TS) OVER (PARTITION BY APPID) AS FIRST_TS FROM GIDB_GC_APPLICATION
  QUALIFY row_number() OVER (PARTITION BY APPID ORDER BY CREATED_TS DESC) = 1
),
switch AS (
  SELECT SWITCHID, NAME FROM GIDB_GC_SWITCH QUALIFY row_number() OVER (PARTITION BY SWITCHID ORDER BY CREATED_TS DESC) = 1
),
dn_type AS (
  SELECT * FROM (VALUES (1, 'EXTENSION', 'Extension'), (2, 'ACDPOSITION', 'ACDPosition'), (3, 'QUEUE', 'ACDQueue'),
    (4, 'ROUTINGPOINT', 'RoutingPoint'), (5, 'VIRTUALQUEUE', 'VirtualQueue'),
    (6, 'ROUTINGPOINT', 'VirtualRoutingPoint'), (9, 'IVRPORT', 'VoiceTreatmentPort')) AS t(TYPE, CODE, SUBTYPE)
),
media_resource AS (  -- multimedia parties' resources by STG_RESOURCE_SEEN.TYPE_CODE (media_party_type_code):
                     -- Info Mart's interaction queues and workbins are queues (Table-RESOURCE_ subtypes)
  SELECT * FROM (VALUES ('PLACE', 'Place', 'PLACE', 'Place'),
    ('INTERACTIONQUEUE', 'Queue', 'QUEUE', 'InteractionQueue'), ('WORKBIN', 'Queue', 'QUEUE', 'InteractionWorkBin'),
    ('ROUTINGSTRATEGY', 'RoutingStrategy', 'ROUTINGSTRATEGY', 'RoutingStrategy')) AS t(SEEN, TYPE, CODE, SUBTYPE)
),
configured AS (
  SELECT cfg_resource_key(CfgType.PERSON, a.AGENTID) AS RESOURCE_KEY, a.TENANTID, NULL::INTEGER AS SWITCH_DBID, 'Agent' AS RESOURCE_TYPE,
    'AGENT' AS RESOURCE_TYPE_CODE, 'Agent' AS RESOURCE_SUBTYPE, a.USERNAME AS RESOURCE_NAME,
    a.FIRSTNAME AS AGENT_FIRST_NAME, a.LASTNAME AS AGENT_LAST_NAME, a.EMPLOYEEID AS EMPLOYEE_ID,
    a.AGENTID::BIGINT AS RESOURCE_CFG_DBID, CfgType.PERSON AS RESOURCE_CFG_TYPE_ID, a.FIRST_TS AS START_TS,
    CASE WHEN a.STATUS = Status.DELETED THEN coalesce(a.DELETED_TS, $sentinel) ELSE $sentinel END AS END_TS
  FROM latest_agent AS a
  UNION ALL
  SELECT cfg_resource_key(CfgType.DN, d.ENDPOINTID), d.TENANTID, d.SWITCHID, 'DN', coalesce(t.CODE, 'EXTENSION'),
    coalesce(t.SUBTYPE, 'Extension'), d.DN, NULL, NULL, NULL, d.ENDPOINTID, CfgType.DN, d.FIRST_TS,
    CASE WHEN d.STATUS = Status.DELETED THEN coalesce(d.DELETED_TS, $sentinel) ELSE $sentinel END
  FROM latest_dn AS d LEFT JOIN dn_type AS t USING (TYPE)
  WHERE d.SWITCHID NOT IN (SELECT SWITCHID FROM _T_CLUSTER_SWITCH)
  UNION ALL
  SELECT cfg_resource_key(CfgType.APPLICATION, p.APPID), p.TENANTID, NULL, 'IVRApplication', 'IVRAPPLICATION', 'IVRApplication',
    p.NAME, NULL, NULL, NULL, p.APPID, CfgType.APPLICATION, p.FIRST_TS,
    CASE WHEN p.STATUS = Status.DELETED THEN coalesce(p.DELETED_TS, $sentinel) ELSE $sentinel END
  FROM latest_app AS p
),
on_the_fly AS (
  SELECT
    s.RESOURCE_KEY, s.TENANTID, s.SWITCH_DBID,
    CASE s.IDENTITY_RULE WHEN 'app' THEN 'IVRApplication' WHEN 'agent' THEN 'Agent' ELSE coalesce(m.TYPE, 'DN') END,
    CASE WHEN s.IDENTITY_RULE = 'app' THEN 'IVRAPPLICATION' WHEN s.IDENTITY_RULE = 'agent' THEN 'AGENT'
         ELSE coalesce(m.CODE, t.CODE, s.TYPE_CODE, 'EXTENSION') END,
    CASE WHEN s.IDENTITY_RULE = 'app' THEN 'IVRApplication' WHEN s.IDENTITY_RULE = 'agent' THEN 'Agent'
         ELSE coalesce(m.SUBTYPE, t.SUBTYPE, 'Extension') END,
    s.RESOURCE_NAME, NULL, NULL, NULL,
    CASE WHEN s.IDENTITY_RULE IN ('dn', 'app') THEN s.RESOURCE_KEY ELSE s.CFG_DBID END,
    CASE WHEN s.IDENTITY_RULE IN ('dn', 'app') THEN CfgType.ON_THE_FLY ELSE s.CFG_TYPE_ID END,
    s.FIRST_SEEN_TS, $sentinel
  FROM STG_RESOURCE_SEEN AS s
  LEFT JOIN (SELECT DN, SWITCHID, min(TYPE) AS TYPE FROM latest_dn GROUP BY ALL) AS cd
    ON s.IDENTITY_RULE = 'dn' AND cd.DN = s.RESOURCE_NAME AND cd.SWITCHID = s.SWITCH_DBID
  LEFT JOIN dn_type AS t ON t.TYPE = cd.TYPE
  LEFT JOIN media_resource AS m ON m.SEEN = s.TYPE_CODE
  WHERE s.RESOURCE_KEY NOT IN (SELECT RESOURCE_KEY FROM configured)
)
SELECT
  r.RESOURCE_KEY, cfg_resource_key(CfgType.TENANT, r.TENANTID) AS TENANT_KEY, sw.NAME AS SWITCH_NAME, r.SWITCH_DBID,
  r.RESOURCE_TYPE, r.RESOURCE_TYPE_CODE, r.RESOURCE_SUBTYPE, r.RESOURCE_NAME, r.AGENT_FIRST_NAME,
  r.AGENT_LAST_NAME, r.EMPLOYEE_ID, r.RESOURCE_CFG_DBID, r.RESOURCE_CFG_TYPE_ID, r.START_TS, r.END_TS
FROM (SELECT * FROM configured UNION ALL SELECT * FROM on_the_fly) AS r
LEFT JOIN switch AS sw ON sw.SWITCHID = r.SWITCH_DBID
