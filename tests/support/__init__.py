"""Test support: real servers, isolation per test, and helpers shared by all suites."""
