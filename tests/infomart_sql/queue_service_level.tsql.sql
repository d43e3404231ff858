-- dialect: tsql
-- follows: an hourly queue service-level report from RAA's queue aggregate (calls entered, answered
--   within the threshold, abandoned), by the queue's name and the hour's label
SELECT dt.LABEL_YYYY_MM_DD_HH24 AS [Hour], r.RESOURCE_NAME AS [Queue], SUM(a.ENTERED) AS entered,
       SUM(a.ACCEPTED) AS accepted, SUM(a.ABANDONED) AS abandoned,
       CASE WHEN SUM(a.ENTERED) > 0 THEN ROUND(100.0 * SUM(a.ACCEPTED_THR) / SUM(a.ENTERED), 1) ELSE NULL END AS [SL %]
FROM AG2_QUEUE_HOUR a
INNER JOIN RESOURCE_ r ON r.RESOURCE_KEY = a.RESOURCE_KEY
INNER JOIN DATE_TIME dt ON dt.DATE_TIME_KEY = a.DATE_TIME_KEY
INNER JOIN MEDIA_TYPE mt ON mt.MEDIA_TYPE_KEY = a.MEDIA_TYPE_KEY
WHERE mt.MEDIA_NAME_CODE = 'VOICE'
GROUP BY dt.LABEL_YYYY_MM_DD_HH24, r.RESOURCE_NAME
