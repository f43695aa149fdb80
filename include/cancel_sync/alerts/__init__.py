"""Telling a person: when a run deserves an alert, and delivering it."""
