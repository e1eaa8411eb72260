"""The project's own `tracker` commands, one module per area."""
