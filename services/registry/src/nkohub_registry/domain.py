"""The registry service's domain model and rules."""
