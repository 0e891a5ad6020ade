-- The rate rule: a rate is shown only where its numerator and denominator are both
-- published (not suppressed) and the denominator is at least the threshold K.
CREATE OR REPLACE TEMP MACRO published_rate(numerator, denominator) AS
    CASE
        WHEN numerator IS NOT NULL AND denominator IS NOT NULL
             AND denominator >= (SELECT threshold FROM release)
        THEN numerator::DOUBLE / denominator
    END;
-- The range a rate with a hidden part can take, from its parts' ranges: the lowest
-- numerator over the highest denominator up to the highest over the lowest, within 0
-- to 1 (every rate here is a part of its base: the extract format's order rules).
-- Missing where neither part is hidden. A part's missing upper end ("40 or more") gives
-- no bound: least() would skip a missing argument, so each ratio is settled first.
CREATE OR REPLACE TEMP MACRO rate_lower(numerator, denominator, numerator_lower, denominator_upper) AS
    CASE
        WHEN numerator IS NULL OR denominator IS NULL
        THEN least(1, coalesce(numerator_lower::DOUBLE / nullif(denominator_upper, 0), 0))
    END;
CREATE OR REPLACE TEMP MACRO rate_upper(numerator, denominator, numerator_upper, denominator_lower) AS
    CASE
        WHEN numerator IS NULL OR denominator IS NULL
        THEN least(1, coalesce(numerator_upper::DOUBLE / nullif(denominator_lower, 0), 1))
    END;
