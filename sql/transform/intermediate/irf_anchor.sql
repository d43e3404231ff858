-- model: irf_anchor
-- layer: intermediate
-- runs: slice
--
-- IRF_ANCHOR: 1 on the first resource that handled the customer (else the interaction's first).
UPDATE _T_IRF AS i SET IRF_ANCHOR = 1 FROM (
  SELECT INTERACTION_RESOURCE_ID FROM _T_IRF QUALIFY row_number() OVER (
    PARTITION BY INTERACTION_ID ORDER BY CUSTOMER_HANDLE_COUNT DESC, INTERACTION_RESOURCE_ORDINAL) = 1
) AS a WHERE a.INTERACTION_RESOURCE_ID = i.INTERACTION_RESOURCE_ID;
-- ANCHOR_FLAGS_KEY bit 1, FIRST_ENGAGE_FOR_AGENT_IXN (Table-ANCHOR_FLAGS: "the first participation of an
-- agent in a particular interaction"): the agent's first resource fact of the interaction in which it
-- talked (in any measure family: with the customer, in a consultation, in a conference); agents only
-- (reported or recovered).
UPDATE _T_IRF AS i SET ANCHOR_FLAGS_KEY = i.ANCHOR_FLAGS_KEY | 1 FROM (
  SELECT INTERACTION_RESOURCE_ID FROM _T_IRF
  WHERE AGENT_MATCH IN ('reported', 'recovered')
    AND TALK_DURATION + CONS_INIT_TALK_DURATION + CONS_RCV_TALK_DURATION + POST_CONS_XFER_TALK_DURATION
        + CONF_JOIN_TALK_DURATION > 0
  QUALIFY row_number() OVER (PARTITION BY INTERACTION_ID, RESOURCE_KEY ORDER BY INTERACTION_RESOURCE_ORDINAL) = 1
) AS a WHERE a.INTERACTION_RESOURCE_ID = i.INTERACTION_RESOURCE_ID
