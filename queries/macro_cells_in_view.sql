-- The published cells of one topic for the periods and geographies a page asked for:
-- where every question about a view starts. `lower` and `upper` are the range the
-- published figures imply for a suppressed cell (upper missing where nothing bounds it),
-- and the value itself for a published one.
CREATE OR REPLACE TEMP MACRO cells_in_view(of_topic, of_period_level, of_periods, of_geo_level, of_geos) AS TABLE
    SELECT cells.*,
           CASE WHEN cells.suppressed THEN ranges.lower ELSE cells.value END AS lower,
           CASE WHEN cells.suppressed THEN ranges.upper ELSE cells.value END AS upper
    FROM cells
    LEFT JOIN ranges USING (topic, measure, period_level, period, geo_level, geo, service_line, language,
                            funding_stream, outcome)
    WHERE cells.topic = of_topic
      AND cells.period_level = of_period_level AND list_contains(of_periods, cells.period)
      AND cells.geo_level = of_geo_level AND list_contains(of_geos, cells.geo);
