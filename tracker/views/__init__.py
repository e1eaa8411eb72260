"""Blueprints named for the site's URL sections."""
