-- Burn rate within one grant year ($year_months: its twelve months in order; grant years run on the
-- calendar year): spend to
-- date at the end of each month up to $last_month, as a share of the year's budget,
-- beside the straight line (an even twelfth of the budget each month), by funding
-- stream or in total ($breakdown). Money is never suppressed, so these running sums
-- add published figures only, and at December they are the published year's figures.
-- A year not complete in this release has its budget taken as its monthly budgets so
-- far, continued at the same rate to December (year_complete says which).
WITH months_published AS (
    SELECT count(DISTINCT period) AS months
    FROM cells
    WHERE period_level = 'month' AND list_contains($year_months, period)
),
monthly AS (
    SELECT period AS month, geo, funding_stream,
           max(value) FILTER (WHERE measure = 'budget') AS budget,
           max(value) FILTER (WHERE measure = 'spent') AS spent
    FROM cells
    WHERE topic = 'funding' AND period_level = 'month' AND list_contains($year_months, period)
      AND geo_level = $geo_level AND list_contains($geos, geo) AND service_line = 'all'
      AND CASE $breakdown WHEN 'funding_stream' THEN funding_stream <> 'all' ELSE funding_stream = 'all' END
    GROUP BY period, geo, funding_stream
),
running AS (
    SELECT *,
           sum(spent) OVER (PARTITION BY geo, funding_stream ORDER BY month) AS spent_to_date,
           sum(budget) OVER (PARTITION BY geo, funding_stream) * 12 / (SELECT months FROM months_published) AS year_budget
    FROM monthly
)
SELECT month, list_position($year_months, month) AS month_number, geo, funding_stream, budget, spent, spent_to_date,
       round(year_budget)::BIGINT AS year_budget,
       spent_to_date::DOUBLE / nullif(year_budget, 0) AS spent_share,
       list_position($year_months, month) / 12 AS straight_line,
       (SELECT months FROM months_published) = 12 AS year_complete
FROM running
WHERE month <= $last_month
ORDER BY geo, funding_stream, month
