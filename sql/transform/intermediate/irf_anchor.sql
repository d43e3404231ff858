-- model: irf_anchor
-- layer: intermediate
-- runs: slice
--
-- IRF_ANCHOR: 1 on the first resource that handled the customer (else the interaction's first).
UPDATE _T_IRF AS i SET IRF_ANCHOR = 1 FROM (
  SELECT INTERACTION_RESOURCE_ID FROM _T_IRF QUALIFY row_number() OVER (
    PARTITION BY INTERACTION_ID ORDER BY CUSTOMER_HANDLE_COUNT DESC, INTERACTION_RESOURCE_ORDINAL) = 1
) AS a WHERE a.INTERACTION_RESOURCE_ID = i.INTERACTION_RESOURCE_ID
