"""Use cases of the console: accounts, sign-in and sessions, the tokens sent to the
services, and (in ``clients/``) one typed HTTP client per service."""
