"""Apply `airflow_settings.yaml` (Astro CLI format) to a plain Airflow.

    python -m devtools.airflow_settings [airflow_settings.yaml] [--connections extra.json]

Writes Airflow's import files and runs `airflow connections/variables/pools import`.
`--connections` merges connection definitions on top (e.g. the sandboxes' credentials).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

_CONNECTION_FIELDS = {
    "conn_type": "conn_type",
    "conn_host": "host",
    "conn_schema": "schema",
    "conn_login": "login",
    "conn_password": "password",
    "conn_port": "port",
    "conn_extra": "extra",
}


def read_settings(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text()) or {}
    airflow = data.get("airflow") or {}
    return {
        "connections": {c["conn_id"]: _connection(c) for c in airflow.get("connections") or []},
        "variables": {v["variable_name"]: _text(v.get("variable_value")) for v in airflow.get("variables") or []},
        "pools": {
            p["pool_name"]: {"slots": int(p["pool_slot"]), "description": p.get("pool_description") or ""}
            for p in airflow.get("pools") or []
        },
    }


def _connection(entry: dict[str, Any]) -> dict[str, Any]:
    connection = {}
    for source, target in _CONNECTION_FIELDS.items():
        value = entry.get(source)
        if value not in (None, ""):
            connection[target] = json.dumps(value) if target == "extra" and isinstance(value, dict) else value
    return connection


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def merge_connections(settings: dict[str, Any], extra: dict[str, Any]) -> None:
    """Overlay connection definitions (airflow connections import format); extras are merged key by key."""
    for conn_id, override in extra.items():
        base = dict(settings["connections"].get(conn_id, {}))
        base_extra = json.loads(base.get("extra") or "{}")
        override_extra = override.get("extra") or {}
        if isinstance(override_extra, str):
            override_extra = json.loads(override_extra)
        base.update({k: v for k, v in override.items() if k != "extra"})
        base["extra"] = json.dumps(base_extra | override_extra)
        settings["connections"][conn_id] = base


def apply(settings: dict[str, Any], airflow: str = "airflow") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for kind in ("connections", "variables", "pools"):
            files[kind] = Path(tmp) / f"{kind}.json"
            files[kind].write_text(json.dumps(settings[kind]))
        commands = [
            [airflow, "connections", "import", "--overwrite", str(files["connections"])],
            [airflow, "variables", "import", "-a", "overwrite", str(files["variables"])],
            [airflow, "pools", "import", str(files["pools"])],
        ]
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"{' '.join(command[:3])} failed:\n{result.stdout}\n{result.stderr}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("settings", nargs="?", default="airflow_settings.yaml", type=Path)
    parser.add_argument("--connections", type=Path, help="JSON (airflow connections import format) merged on top")
    parser.add_argument("--variable", action="append", default=[], metavar="NAME=VALUE", help="override a Variable")
    args = parser.parse_args(argv)
    settings = read_settings(args.settings)
    if args.connections:
        merge_connections(settings, json.loads(args.connections.read_text()))
    for item in args.variable:
        name, _, value = item.partition("=")
        settings["variables"][name] = value
    apply(settings, airflow=str(Path(sys.executable).with_name("airflow")))
    print(
        f"Applied {len(settings['connections'])} connections, {len(settings['variables'])} variables, "
        f"{len(settings['pools'])} pools from {args.settings}"
    )


if __name__ == "__main__":
    main()
