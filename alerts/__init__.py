"""Alerts: route matches to channels (console/file, email, webhooks) exactly once each."""
