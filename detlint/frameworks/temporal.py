"""The Temporal profile: every Temporal name detlint knows lives here.

Another durable-execution SDK would be a second module of this shape.
"""

from __future__ import annotations

WORKFLOW = "temporalio.workflow"
ACTIVITY = "temporalio.activity"

WORKFLOW_DEFN = f"{WORKFLOW}.defn"
ACTIVITY_DEFN = f"{ACTIVITY}.defn"

# Decorators that make a method a handler of a workflow class.
HANDLER_DECORATORS = {
    f"{WORKFLOW}.run": "run",
    f"{WORKFLOW}.signal": "signal",
    f"{WORKFLOW}.query": "query",
    f"{WORKFLOW}.update": "update",
    f"{WORKFLOW}.init": "init",
}

QUERY = f"{WORKFLOW}.query"

IMPORTS_PASSED_THROUGH = f"{WORKFLOW}.unsafe.imports_passed_through"
SANDBOX_UNRESTRICTED = f"{WORKFLOW}.unsafe.sandbox_unrestricted"
REPLAY_STATE_QUERIES = (
    f"{WORKFLOW}.unsafe.is_replaying",
    f"{WORKFLOW}.unsafe.is_replaying_history_events",
)

# Calls that issue a command (an event in history). Branching on replay state around any
# of them changes the command sequence between the first run and a replay.
COMMAND_CALLS = frozenset(
    {
        f"{WORKFLOW}.{name}"
        for name in (
            "execute_activity",
            "start_activity",
            "execute_activity_method",
            "start_activity_method",
            "execute_activity_class",
            "start_activity_class",
            "execute_local_activity",
            "start_local_activity",
            "execute_local_activity_method",
            "start_local_activity_method",
            "execute_local_activity_class",
            "start_local_activity_class",
            "execute_child_workflow",
            "start_child_workflow",
            "sleep",
            "wait_condition",
            "continue_as_new",
            "upsert_search_attributes",
            "upsert_memo",
            "patched",
            "deprecate_patch",
        )
    }
    | {"asyncio.sleep"}
)
# Methods on external workflow handles that issue commands.
EXTERNAL_HANDLE = f"{WORKFLOW}.get_external_workflow_handle"
COMMAND_METHODS = frozenset({"signal", "cancel"})

# The deterministic replacements, as a user writes them after `from temporalio import workflow`.
NOW = "workflow.now()"
TIME = "workflow.time()"
TIME_NS = "workflow.time_ns()"
RANDOM = "workflow.random()"
UUID4 = "workflow.uuid4()"
SLEEP = "await workflow.sleep(...)"
LOGGER = "workflow.logger"
WAIT = "workflow.wait()"
AS_COMPLETED = "workflow.as_completed()"
