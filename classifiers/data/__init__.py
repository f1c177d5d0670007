"""Bundled classifier data: the group gazetteer and the labelled training corpus."""
