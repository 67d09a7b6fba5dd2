-- What one source says of its device (a sysdiagnose's metadata file, an idevicesyslog capture's host name).
-- Params: $source_id, $name, $model, $os_version, $os_build, $found_from.
INSERT INTO device_facts (source_id, name, model, os_version, os_build, found_from)
VALUES ($source_id, $name, $model, $os_version, $os_build, $found_from)
