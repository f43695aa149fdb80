"""Local tooling behind the Makefile: settings loader, sandboxes runner, demo, local Airflow."""
