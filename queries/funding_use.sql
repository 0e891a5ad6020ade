-- Budget against spend, by funding stream, service line, both, or in total
-- ($breakdown), for each period and geography asked for. Money is not a count of
-- people and is published whole.
WITH chosen AS (
    SELECT period, geo, funding_stream, service_line, measure, value
    FROM cells_in_view('funding', $period_level, $periods, $geo_level, $geos)
    WHERE CASE $breakdown
            WHEN 'funding_stream' THEN funding_stream <> 'all' AND service_line = 'all'
            WHEN 'service_line' THEN service_line <> 'all' AND funding_stream = 'all'
            WHEN 'both' THEN funding_stream <> 'all' AND service_line <> 'all'
            ELSE funding_stream = 'all' AND service_line = 'all'
          END
)
SELECT period, geo, funding_stream, service_line,
       max(value) FILTER (WHERE measure = 'budget') AS budget,
       max(value) FILTER (WHERE measure = 'spent') AS spent,
       max(value) FILTER (WHERE measure = 'spent')::DOUBLE
           / nullif(max(value) FILTER (WHERE measure = 'budget'), 0) AS spent_share
FROM chosen
GROUP BY period, geo, funding_stream, service_line
ORDER BY period, geo, funding_stream, service_line
