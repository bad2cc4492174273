"""End-to-end tests against real components."""
