"""Importers: validate a whole file first, then write it in one transaction."""
