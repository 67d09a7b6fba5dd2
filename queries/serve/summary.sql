-- One call's row of the served dashboard's snapshot ($call_id): its verdict, device, model, iOS, app and route.
SELECT * FROM serve_calls WHERE call_id = $call_id
