"""End-to-end tests: the live site in headless Chromium (a package, so its fixtures end with it)."""
