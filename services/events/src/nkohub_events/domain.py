"""The events service's domain model and rules."""
