"""What a task hands the tasks after it, besides its return value: the XCom it pushes and pulls.

The task functions (tasks.py) take a `TaskXCom`; the DAG gives them Airflow's (`AirflowXCom`), the
benchmarks and tests their own, so every rule about what is pushed and pulled lives in tasks.py once.
"""

from __future__ import annotations

from typing import Any, Protocol


class TaskXCom(Protocol):
    def push(self, key: str, value: Any) -> None: ...

    def pull(self, task_id: str, key: str, map_index: int | None = None) -> Any: ...


class AirflowXCom:
    """A running task instance's XCom."""

    def __init__(self, ti: Any) -> None:
        self.ti = ti

    def push(self, key: str, value: Any) -> None:
        self.ti.xcom_push(key=key, value=value)

    def pull(self, task_id: str, key: str, map_index: int | None = None) -> Any:
        if map_index is None:
            return self.ti.xcom_pull(task_ids=task_id, key=key)
        return self.ti.xcom_pull(task_ids=task_id, key=key, map_indexes=map_index)
