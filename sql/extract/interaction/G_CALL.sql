-- Every call of the interaction, consultations included (they share the interaction's IRID).
SELECT t.IRID AS ENTITY_ID FROM G_CALL AS t
