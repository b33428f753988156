-- check: no_future_orders
SELECT order_id, order_ts FROM primary WHERE order_ts > now();
-- check: amounts_are_positive
SELECT count(*) = 0 FROM primary WHERE amount <= 0;
