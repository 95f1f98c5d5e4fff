"""The notifications service's domain model and rules."""
