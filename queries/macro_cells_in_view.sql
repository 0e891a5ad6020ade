-- The published cells of one topic for the periods and geographies a page asked for:
-- where every question about a view starts.
CREATE OR REPLACE TEMP MACRO cells_in_view(of_topic, of_period_level, of_periods, of_geo_level, of_geos) AS TABLE
    SELECT *
    FROM cells
    WHERE topic = of_topic
      AND period_level = of_period_level AND list_contains(of_periods, period)
      AND geo_level = of_geo_level AND list_contains(of_geos, geo);
