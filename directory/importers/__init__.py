"""Importers of open data into the catalogue; the management commands are thin wrappers around them."""
