-- Spend per completed referral, by service line, for each period and geography
-- asked for: shown only where the completed count is published and at least K. The
-- completed count has its range beside it (_lower, _upper).
WITH spent AS (
    SELECT period, geo, service_line, value AS spent
    FROM cells_in_view('funding', $period_level, $periods, $geo_level, $geos)
    WHERE measure = 'spent' AND funding_stream = 'all' AND service_line <> 'all'
),
completed AS (
    SELECT period, geo, service_line, value AS completed, lower AS completed_lower, upper AS completed_upper
    FROM cells_in_view('referrals', $period_level, $periods, $geo_level, $geos)
    WHERE measure = 'completed' AND language = 'all' AND service_line <> 'all'
)
SELECT period, geo, service_line, spent, completed, completed_lower, completed_upper, published_rate(spent, completed) AS spend_per_completed
FROM completed LEFT JOIN spent USING (period, geo, service_line)
ORDER BY period, geo, service_line
