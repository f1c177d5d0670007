"""newswatch: a streaming news-monitoring alert pipeline."""

__version__ = "0.1.0"
