"""Render stage: terminal tables, JSON, markdown, HTML report and dashboard."""
