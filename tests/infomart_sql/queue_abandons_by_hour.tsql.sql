-- dialect: tsql
-- follows: calls per queue and hour counted as distinct interactions with CASE filters on the technical
--   result, with T-SQL's DATEADD and CAST on CAL_DATE (the language-queue reports found by searching public
--   code for Info Mart report SQL; the index does not name their repository)
SELECT dt.LABEL_YYYY_MM_DD AS [Date], CAST(DATEADD(hour, 0, dt.CAL_DATE) AS date) AS [Day],
       dt.LABEL_HH24 AS [Hour], vq.RESOURCE_NAME AS [Queue],
       COUNT(DISTINCT msf.INTERACTION_ID) AS [Entered],
       COUNT(DISTINCT CASE WHEN td.TECHNICAL_RESULT = 'Abandoned' THEN msf.INTERACTION_ID END) AS [Abandoned],
       ISNULL(ROUND(AVG(CAST(msf.MEDIATION_DURATION AS float)), 2), 0) AS [Avg wait]
FROM MEDIATION_SEGMENT_FACT msf
JOIN TECHNICAL_DESCRIPTOR td ON td.TECHNICAL_DESCRIPTOR_KEY = msf.TECHNICAL_DESCRIPTOR_KEY
JOIN RESOURCE_ vq ON vq.RESOURCE_KEY = msf.RESOURCE_KEY
JOIN DATE_TIME dt ON dt.DATE_TIME_KEY = msf.START_DATE_TIME_KEY
GROUP BY dt.LABEL_YYYY_MM_DD, dt.CAL_DATE, dt.LABEL_HH24, vq.RESOURCE_NAME
