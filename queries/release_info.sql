-- Which release is current, its threshold K, and the months it covers.
SELECT number, threshold, first_month, last_month, published_on
FROM release
