"""Which background tasks exist: what the apps declare and what this process has registered.

Every process imports every app's ``tasks.py`` and ``*_tasks.py`` when Django starts
(``discover``, from the core app's ``ready``), so a worker knows every task whatever it imported
before; a worker that started without them took messages off the queue and dropped them.
``declared`` reads the same files as source, without importing them, so ``frontdesk check`` can
tell a task that failed to register from one that does not exist.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass

from frontdesk.core.discovery import app_modules

# decorator name -> kind, for the decorators that register a Huey task
TASK_DECORATORS = {
    "db_task": "task",
    "task": "task",
    "on_commit_task": "task",
    "db_periodic_task": "periodic",
    "periodic_task": "periodic",
    "periodic_job": "periodic",
}

_discovered = False


@dataclass(frozen=True)
class TaskInfo:
    name: str  # module.function, as Huey names it
    kind: str  # "task" or "periodic"


def discover() -> list[str]:
    """Import every app's task modules once; their dotted names."""
    global _discovered
    modules = [module for module, _path in app_modules("tasks")]
    if not _discovered:
        for module in modules:
            importlib.import_module(module)
        _discovered = True
    return modules


def declared() -> dict[str, TaskInfo]:
    """The tasks the apps' task modules define, read from their source."""
    found: dict[str, TaskInfo] = {}
    for module, path in app_modules("tasks"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                kind = TASK_DECORATORS.get(_decorator_name(decorator))
                if kind:
                    found[f"{module}.{node.name}"] = TaskInfo(f"{module}.{node.name}", kind)
                    break
    return found


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def registered() -> dict[str, TaskInfo]:
    """The tasks this process's Huey instance can run."""
    from huey.contrib.djhuey import HUEY

    tasks = HUEY._registry._registry  # huey keeps no public listing
    return {
        name: TaskInfo(name, "periodic" if hasattr(cls, "validate_datetime") else "task")
        for name, cls in sorted(tasks.items())
    }


def missing() -> list[str]:
    """Declared tasks this process has not registered: a worker here would not run them."""
    known = registered()
    return sorted(name for name in declared() if name not in known)
