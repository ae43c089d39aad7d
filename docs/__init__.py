"""The project's documentation, and the generators of its references (`make docs`: python -m docs.generate)."""
