"""Call-failure analyzer: why did a voice call fail on an iOS voice-agent app."""

__version__ = "0.1.0"
