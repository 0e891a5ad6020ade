-- The referral funnel (referred -> accepted -> first appointment -> completed, and
-- waits over 30 days) for each period and geography asked for, by service line, by
-- language, or in total ($breakdown). A missing count is a suppressed cell; a missing
-- rate was not computed because its parts are suppressed or its base is below K.
WITH chosen AS (
    SELECT period, geo, measure, value,
           CASE $breakdown WHEN 'service_line' THEN service_line WHEN 'language' THEN language ELSE 'all' END AS category
    FROM cells_in_view('referrals', $period_level, $periods, $geo_level, $geos)
    WHERE CASE $breakdown
            WHEN 'service_line' THEN service_line <> 'all' AND language = 'all'
            WHEN 'language' THEN language <> 'all' AND service_line = 'all'
            ELSE service_line = 'all' AND language = 'all'
          END
),
funnel AS (
    SELECT period, geo, category,
           max(value) FILTER (WHERE measure = 'referred') AS referred,
           max(value) FILTER (WHERE measure = 'accepted') AS accepted,
           max(value) FILTER (WHERE measure = 'first_appointment') AS first_appointment,
           max(value) FILTER (WHERE measure = 'completed') AS completed,
           max(value) FILTER (WHERE measure = 'waited_over_30_days') AS waited_over_30_days
    FROM chosen
    GROUP BY period, geo, category
)
SELECT *,
       published_rate(accepted, referred) AS accepted_rate,
       published_rate(first_appointment, accepted) AS first_appointment_rate,
       published_rate(completed, accepted) AS completion_rate,
       published_rate(waited_over_30_days, first_appointment) AS waited_over_30_days_share
FROM funnel
ORDER BY period, geo, category
