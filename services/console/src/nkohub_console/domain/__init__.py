"""The console's pure rules: accounts and passwords, the login lockout, sessions and their
CSRF tokens, chart scaling, the report's arithmetic and form errors (no I/O)."""
