-- ICON's commit watermark per provider: SEQCURRENT is the highest GSYS_SEQ / GSYS_USEQ safely
-- committed, the bound an incremental extraction may read up to without skipping late rows.
SELECT
  PRIMARYID,
  PROVIDERTAG,
  SEQCOUNTER,
  SEQCURRENT
FROM G_PROV_CONTROL
ORDER BY PRIMARYID
