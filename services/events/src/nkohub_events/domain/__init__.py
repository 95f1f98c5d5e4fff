"""The events service's model and rules (pure: no I/O)."""
