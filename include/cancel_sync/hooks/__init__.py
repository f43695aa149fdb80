"""Airflow hooks: one per system, each turning a Connection into a plain client."""
