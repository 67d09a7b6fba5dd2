-- A batch of webrtc-internals series (wi_batch: pc_id, name = "<statId>-<property>", obj_text = the series
-- object's text, seq = its place in the dump), found in the dump's bytes by analyzer/formats/internals_scan.py,
-- held in wi_series until their peer connection is read whole (an object's series are not next to each other).
-- A name without that form keeps an empty stat_id (the series is rejected when staged).
INSERT INTO wi_series
SELECT pc_id, name,
    CASE WHEN contains(name, '-[') THEN regexp_extract(name, '^(.*)-\[', 1)
         ELSE regexp_extract(name, '^(.*)-[^-]*$', 1) END AS stat_id,
    CASE WHEN contains(name, '-[') THEN regexp_extract(name, '-(\[.*)$', 1)
         ELSE regexp_extract(name, '-([^-]*)$', 1) END AS prop,
    obj_text, seq
FROM wi_batch
