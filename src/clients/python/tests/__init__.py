"""Tests of the worldcluster Python client against a running silo ($WORLDCLUSTER_URL)."""
