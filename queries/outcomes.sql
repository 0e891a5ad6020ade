-- Survivors assessed and those who achieved each outcome, for each period and
-- geography asked for.
WITH chosen AS (
    SELECT period, geo, outcome, measure, value
    FROM cells_in_view('outcomes', $period_level, $periods, $geo_level, $geos)
),
outcome AS (
    SELECT period, geo, outcome,
           max(value) FILTER (WHERE measure = 'assessed') AS assessed,
           max(value) FILTER (WHERE measure = 'achieved') AS achieved
    FROM chosen
    GROUP BY period, geo, outcome
)
SELECT *, published_rate(achieved, assessed) AS achieved_share
FROM outcome
ORDER BY period, geo, outcome
