"""Classifiers: turn Articles into Matches (model labels, gazetteer groups, watch rules)."""
