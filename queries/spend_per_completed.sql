-- Spend per completed referral, by service line, for each period and geography
-- asked for: shown only where the completed count is published and at least K.
WITH spent AS (
    SELECT period, geo, service_line, value AS spent
    FROM cells
    WHERE topic = 'funding' AND measure = 'spent' AND funding_stream = 'all' AND service_line <> 'all'
      AND period_level = $period_level AND list_contains($periods, period)
      AND geo_level = $geo_level AND list_contains($geos, geo)
),
completed AS (
    SELECT period, geo, service_line, value AS completed
    FROM cells
    WHERE topic = 'referrals' AND measure = 'completed' AND language = 'all' AND service_line <> 'all'
      AND period_level = $period_level AND list_contains($periods, period)
      AND geo_level = $geo_level AND list_contains($geos, geo)
)
SELECT period, geo, service_line, spent, completed, published_rate(spent, completed) AS spend_per_completed
FROM completed LEFT JOIN spent USING (period, geo, service_line)
ORDER BY period, geo, service_line
