"""The events service's rules and the events they record (pure: no I/O)."""
