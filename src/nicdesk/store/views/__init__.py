"""Reads by feature: plain view models for the navigator, summaries, charts and the network views (never ORM rows)."""
