"""A labelled synthetic fleet in the real formats: call timelines with injected faults, rendered as the
logs, app stats uploads and gateway stats the parsers read."""
