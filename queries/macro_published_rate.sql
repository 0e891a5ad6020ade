-- The rate rule: a rate is shown only where its numerator and denominator are both
-- published (not suppressed) and the denominator is at least the threshold K.
CREATE OR REPLACE TEMP MACRO published_rate(numerator, denominator) AS
    CASE
        WHEN numerator IS NOT NULL AND denominator IS NOT NULL
             AND denominator >= (SELECT threshold FROM release)
        THEN numerator::DOUBLE / denominator
    END;
