-- The groups one topic is published by: each breakdown column with the values it
-- takes, for choosing what an improvement cycle measures.
SELECT DISTINCT breakdown, value
FROM (
    SELECT 'service_line' AS breakdown, service_line AS value FROM cells WHERE topic = $topic
    UNION ALL
    SELECT 'language', language FROM cells WHERE topic = $topic
    UNION ALL
    SELECT 'outcome', outcome FROM cells WHERE topic = $topic
)
WHERE value <> 'all'
ORDER BY breakdown, value
