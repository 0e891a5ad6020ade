-- Every hub with its region.
SELECT hub, name, region
FROM hubs
ORDER BY region, name
