-- Interactions to (re)extract: touched in the window, or crossing the stuck threshold in the source's
-- clock window; and finished: the interaction and every one of its calls terminated, or still active
-- :stuck_s seconds after it began (extracted as stuck, closed later at a sentinel). A chat or e-mail is
-- read while active too, whenever touched (Info Mart populates active multimedia mediation, GIMPopMSF):
-- its open rows are closed at the sentinel as a stuck call's are, and the transform makes them active.
-- Identity across the members of an HA pair: the root call's CALLID (IRIDs differ per IDB).
SELECT
  ir.IRID AS ENTITY_ID,
  ir.ROOTCALLID AS ENTITY_KEY,
  ir.CREATED_TS AS START_TS,
  ir.TERMINATED_TS AS END_TS,
  ir.TERMINATED_TS IS NULL AS STUCK
FROM G_IR AS ir
WHERE ir.GSYS_SEQ <= :hi
  AND (
    ir.IRID IN (SELECT ENTITY_ID FROM touched)
    OR (ir.TERMINATED_TS IS NULL AND ir.CREATED_TS + :stuck_s > :t_lo AND ir.CREATED_TS + :stuck_s <= :t_hi)
  )
  AND (
    (
      ir.TERMINATED_TS IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM G_CALL AS c WHERE c.IRID = ir.IRID AND c.TERMINATED_TS IS NULL)
    )
    OR ir.CREATED_TS + :stuck_s <= :t_hi
    OR coalesce(ir.MEDIATYPE, MediaType.VOICE) <> MediaType.VOICE
  )
