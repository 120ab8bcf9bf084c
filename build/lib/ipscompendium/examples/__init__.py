"""Example tables shipped with the package (see README.md here)."""
