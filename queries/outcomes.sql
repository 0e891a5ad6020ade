-- Survivors assessed and those who achieved each outcome, for each period and
-- geography asked for.
WITH chosen AS (
    SELECT period, geo, outcome, measure, value
    FROM cells
    WHERE topic = 'outcomes'
      AND period_level = $period_level AND list_contains($periods, period)
      AND geo_level = $geo_level AND list_contains($geos, geo)
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
