-- The referral funnel (referred -> accepted -> first appointment -> completed, and
-- waits over 30 days) for each period and geography asked for, by service line, by
-- language, or in total ($breakdown). A missing count is a suppressed cell; a missing
-- rate was not computed because its parts are suppressed or its base is below K. Each
-- count and rate has its range beside it (_lower, _upper): the value itself where published.
WITH chosen AS (
    SELECT period, geo, measure, value, lower, upper,
           CASE $breakdown WHEN 'service_line' THEN service_line WHEN 'language' THEN language ELSE 'all' END AS category
    FROM cells_in_view('referrals', $period_level, $periods, $geo_level, $geos)
    WHERE CASE $breakdown
            WHEN 'service_line' THEN service_line <> 'all' AND language = 'all'
            WHEN 'language' THEN language <> 'all' AND service_line = 'all'
            ELSE service_line = 'all' AND language = 'all'
          END
      -- the network shows every language by itself, so not their group as well
      AND NOT ($geo_level = 'network' AND language = 'other')
),
funnel AS (
    SELECT period, geo, category,
           max(value) FILTER (WHERE measure = 'referred') AS referred,
           max(lower) FILTER (WHERE measure = 'referred') AS referred_lower,
           max(upper) FILTER (WHERE measure = 'referred') AS referred_upper,
           max(value) FILTER (WHERE measure = 'accepted') AS accepted,
           max(lower) FILTER (WHERE measure = 'accepted') AS accepted_lower,
           max(upper) FILTER (WHERE measure = 'accepted') AS accepted_upper,
           max(value) FILTER (WHERE measure = 'first_appointment') AS first_appointment,
           max(lower) FILTER (WHERE measure = 'first_appointment') AS first_appointment_lower,
           max(upper) FILTER (WHERE measure = 'first_appointment') AS first_appointment_upper,
           max(value) FILTER (WHERE measure = 'completed') AS completed,
           max(lower) FILTER (WHERE measure = 'completed') AS completed_lower,
           max(upper) FILTER (WHERE measure = 'completed') AS completed_upper,
           max(value) FILTER (WHERE measure = 'waited_over_30_days') AS waited_over_30_days,
           max(lower) FILTER (WHERE measure = 'waited_over_30_days') AS waited_over_30_days_lower,
           max(upper) FILTER (WHERE measure = 'waited_over_30_days') AS waited_over_30_days_upper
    FROM chosen
    GROUP BY period, geo, category
)
SELECT *,
       published_rate(accepted, referred) AS accepted_rate,
       rate_lower(accepted, referred, accepted_lower, referred_upper) AS accepted_rate_lower,
       rate_upper(accepted, referred, accepted_upper, referred_lower) AS accepted_rate_upper,
       published_rate(first_appointment, accepted) AS first_appointment_rate,
       rate_lower(first_appointment, accepted, first_appointment_lower, accepted_upper) AS first_appointment_rate_lower,
       rate_upper(first_appointment, accepted, first_appointment_upper, accepted_lower) AS first_appointment_rate_upper,
       published_rate(completed, accepted) AS completion_rate,
       rate_lower(completed, accepted, completed_lower, accepted_upper) AS completion_rate_lower,
       rate_upper(completed, accepted, completed_upper, accepted_lower) AS completion_rate_upper,
       published_rate(waited_over_30_days, first_appointment) AS waited_over_30_days_share,
       rate_lower(waited_over_30_days, first_appointment, waited_over_30_days_lower, first_appointment_upper) AS waited_over_30_days_share_lower,
       rate_upper(waited_over_30_days, first_appointment, waited_over_30_days_upper, first_appointment_lower) AS waited_over_30_days_share_upper
FROM funnel
ORDER BY period, geo, category
