-- dialect: postgres
-- follows: a daily agent occupancy report from RAA's session and state aggregate
SELECT dt.label_yyyy_mm_dd AS day, r.resource_name AS agent, sum(a.login_time) AS logged_in,
       sum(a.ready_time) AS ready, sum(a.not_ready_time) AS not_ready, sum(a.busy_time) AS busy,
       round(100.0 * sum(a.busy_time) / nullif(sum(a.login_time), 0), 1) AS occupancy_pct
FROM ag2_i_sess_state_day a
JOIN resource_ r ON r.resource_key = a.resource_key
JOIN date_time dt ON dt.date_time_key = a.date_time_key
GROUP BY 1, 2
HAVING sum(a.login_time) > 0
