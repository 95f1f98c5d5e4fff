"""HTTP: the FastAPI app factory, auth dependencies and error responses."""
