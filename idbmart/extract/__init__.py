"""Extraction: read-only readers for every IDB source kind, schema checks, source inventory."""
