-- Appointments needing an interpreter and those that had one, by language or in
-- total ($breakdown), for each period and geography asked for.
WITH chosen AS (
    SELECT period, geo, measure, value,
           CASE $breakdown WHEN 'language' THEN language ELSE 'all' END AS category
    FROM cells_in_view('language_access', $period_level, $periods, $geo_level, $geos)
    WHERE CASE $breakdown WHEN 'language' THEN language <> 'all' ELSE language = 'all' END
),
access AS (
    SELECT period, geo, category,
           max(value) FILTER (WHERE measure = 'appointments_needing_interpreter') AS needing_interpreter,
           max(value) FILTER (WHERE measure = 'appointments_with_interpreter') AS with_interpreter
    FROM chosen
    GROUP BY period, geo, category
)
SELECT *, published_rate(with_interpreter, needing_interpreter) AS interpreter_coverage
FROM access
ORDER BY period, geo, category
