-- Each service line's spend and its share of all spend, for each period and
-- geography asked for: divided by the published total spend, never by a sum made
-- here. Money is not a count of people and is published whole.
WITH spent AS (
    SELECT period, geo, service_line, value
    FROM cells_in_view('funding', $period_level, $periods, $geo_level, $geos)
    WHERE measure = 'spent' AND funding_stream = 'all'
)
SELECT line.period, line.geo, line.service_line, line.value AS spent,
       line.value::DOUBLE / nullif(total.value, 0) AS spend_share
FROM spent AS line
JOIN spent AS total ON total.period = line.period AND total.geo = line.geo AND total.service_line = 'all'
WHERE line.service_line <> 'all'
ORDER BY line.period, line.geo, line.service_line
