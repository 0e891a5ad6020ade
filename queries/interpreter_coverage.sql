-- Appointments needing an interpreter and those that had one, by language or in
-- total ($breakdown), for each period and geography asked for, each with its range
-- beside it (_lower, _upper).
WITH chosen AS (
    SELECT period, geo, measure, value, lower, upper,
           CASE $breakdown WHEN 'language' THEN language ELSE 'all' END AS category
    FROM cells_in_view('language_access', $period_level, $periods, $geo_level, $geos)
    WHERE CASE $breakdown WHEN 'language' THEN language <> 'all' ELSE language = 'all' END
      -- the network shows every language by itself, so not their group as well
      AND NOT ($geo_level = 'network' AND language = 'other')
),
access AS (
    SELECT period, geo, category,
           max(value) FILTER (WHERE measure = 'appointments_needing_interpreter') AS needing_interpreter,
           max(lower) FILTER (WHERE measure = 'appointments_needing_interpreter') AS needing_interpreter_lower,
           max(upper) FILTER (WHERE measure = 'appointments_needing_interpreter') AS needing_interpreter_upper,
           max(value) FILTER (WHERE measure = 'appointments_with_interpreter') AS with_interpreter,
           max(lower) FILTER (WHERE measure = 'appointments_with_interpreter') AS with_interpreter_lower,
           max(upper) FILTER (WHERE measure = 'appointments_with_interpreter') AS with_interpreter_upper
    FROM chosen
    GROUP BY period, geo, category
)
SELECT *,
       published_rate(with_interpreter, needing_interpreter) AS interpreter_coverage,
       rate_lower(with_interpreter, needing_interpreter, with_interpreter_lower, needing_interpreter_upper) AS interpreter_coverage_lower,
       rate_upper(with_interpreter, needing_interpreter, with_interpreter_upper, needing_interpreter_lower) AS interpreter_coverage_upper
FROM access
ORDER BY period, geo, category
