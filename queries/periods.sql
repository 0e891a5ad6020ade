-- The periods published at one level (month, quarter or year), oldest first.
SELECT DISTINCT period
FROM cells
WHERE period_level = $period_level
ORDER BY period
