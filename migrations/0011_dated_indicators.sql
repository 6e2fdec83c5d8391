-- Dated facts and before/after figures (issue 12): an indicator's figure before a change
-- ("由之前的71平方米增加到现在的1050平方米"), the date it holds or happened ("7月6日正式启用"), and
-- the period it covers ("从2017年至今": from 2017, no end). Dates are ISO 8601, as far as the
-- source gives them: `2017`, `2023-07`, `2023-07-06`.
ALTER TABLE indicators ADD COLUMN before_value DOUBLE PRECISION;
ALTER TABLE indicators ADD COLUMN before_qualifier TEXT;
ALTER TABLE indicators ADD COLUMN before_unit TEXT;
ALTER TABLE indicators ADD COLUMN as_of TEXT;
ALTER TABLE indicators ADD COLUMN period_from TEXT;
ALTER TABLE indicators ADD COLUMN period_until TEXT;
