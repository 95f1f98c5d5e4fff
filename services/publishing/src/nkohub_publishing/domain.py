"""The publishing service's domain model and rules."""
