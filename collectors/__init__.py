"""Collectors: fetch or replay feeds, normalise entries to Articles, dedupe, publish."""
