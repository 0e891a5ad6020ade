-- Survivors assessed and those who achieved each outcome, for each period and
-- geography asked for, each with its range beside it (_lower, _upper).
WITH chosen AS (
    SELECT period, geo, outcome, measure, value, lower, upper
    FROM cells_in_view('outcomes', $period_level, $periods, $geo_level, $geos)
),
outcome AS (
    SELECT period, geo, outcome,
           max(value) FILTER (WHERE measure = 'assessed') AS assessed,
           max(lower) FILTER (WHERE measure = 'assessed') AS assessed_lower,
           max(upper) FILTER (WHERE measure = 'assessed') AS assessed_upper,
           max(value) FILTER (WHERE measure = 'achieved') AS achieved,
           max(lower) FILTER (WHERE measure = 'achieved') AS achieved_lower,
           max(upper) FILTER (WHERE measure = 'achieved') AS achieved_upper
    FROM chosen
    GROUP BY period, geo, outcome
)
SELECT *,
       published_rate(achieved, assessed) AS achieved_share,
       rate_lower(achieved, assessed, achieved_lower, assessed_upper) AS achieved_share_lower,
       rate_upper(achieved, assessed, achieved_upper, assessed_lower) AS achieved_share_upper
FROM outcome
ORDER BY period, geo, outcome
