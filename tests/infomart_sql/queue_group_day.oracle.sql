-- dialect: oracle
-- follows: a daily queue-group report from RAA's queue group aggregate, by group name and type
SELECT dt.LABEL_YYYY_MM_DD AS day, g.GROUP_NAME, g.GROUP_TYPE, SUM(a.ENTERED) AS entered,
       SUM(a.ABANDONED) AS abandoned, NVL(SUM(a.ACCEPTED_THR), 0) AS within_threshold
FROM AG2_QUEUE_GRP_DAY a, GROUP_ g, DATE_TIME dt
WHERE a.GROUP_KEY = g.GROUP_KEY AND a.DATE_TIME_KEY = dt.DATE_TIME_KEY AND g.GROUP_TYPE_CODE = 'QUEUE'
GROUP BY dt.LABEL_YYYY_MM_DD, g.GROUP_NAME, g.GROUP_TYPE
ORDER BY 1, 2
