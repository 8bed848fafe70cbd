"""Bundled pairs of cases to compare in class (package data: *.yaml)."""
