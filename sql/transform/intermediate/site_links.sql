-- model: site_links
-- layer: intermediate
-- runs: slice
-- target: _T_SITE_OUT
--
-- Where the slice's calls went on to another site through ISCC (G_IS_LINK, DIRECTION out): the call,
-- when, and the other site's call it became (ixn_parents makes that call's IR a part of this
-- interaction). A mediation DN that passed its call on there did not end the interaction (it diverted
-- it), and a resource whose call went on there transferred it.
SELECT DISTINCT l.CALLID, l.ADDED_TS, l.REMOTECALLID
FROM GIDB_G_IS_LINK AS l JOIN _T_IXN_ENTITY AS e USING (ENTITY_KEY)
WHERE l.DIRECTION = LinkDirection.OUT AND in_ixn_time(l.ADDED_TS, $ixn_from)
