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

# -- Names the DET2xx and DET4xx rules define too (the same definitions, for one merge) ------


def _activity_functions() -> dict[str, tuple[bool, str, bool]]:
    """`temporalio.workflow.execute_local_activity_method` -> (local, kind, execute): the twelve
    ways to run an activity; kind is how the activity is named ("function": a function or a
    string; "method": `MyActivities.charge`; "class": a callable class)."""
    table = {}
    for execute in (True, False):
        for local in (False, True):
            for kind, suffix in (("function", ""), ("method", "_method"), ("class", "_class")):
                verb = "execute" if execute else "start"
                name = f"{verb}_{'local_' if local else ''}activity{suffix}"
                table[f"{WORKFLOW}.{name}"] = (local, kind, execute)
    return table


ACTIVITY_FUNCTIONS = _activity_functions()
CHILD_WORKFLOW_FUNCTIONS = frozenset({f"{WORKFLOW}.execute_child_workflow", f"{WORKFLOW}.start_child_workflow"})
WAIT_CONDITION = f"{WORKFLOW}.wait_condition"
WORKFLOW_RUN = f"{WORKFLOW}.run"
WORKFLOW_SIGNAL = f"{WORKFLOW}.signal"
WORKFLOW_QUERY = f"{WORKFLOW}.query"
WORKFLOW_UPDATE = f"{WORKFLOW}.update"
CONTINUE_AS_NEW = f"{WORKFLOW}.continue_as_new"

# -- Versioning (DET5xx): what each command-producing call puts in a workflow's skeleton ------

WORKFLOW_SLEEP = f"{WORKFLOW}.sleep"
ASYNCIO_SLEEP = "asyncio.sleep"
PATCHED = f"{WORKFLOW}.patched"
DEPRECATE_PATCH = f"{WORKFLOW}.deprecate_patch"
# Calls that issue one command whose type is all the server compares.
PLAIN_COMMANDS = {
    CONTINUE_AS_NEW: "continue_as_new",
    f"{WORKFLOW}.upsert_search_attributes": "upsert_search_attributes",
    f"{WORKFLOW}.upsert_memo": "upsert_memo",
}
EXTERNAL_HANDLES = (EXTERNAL_HANDLE, f"{EXTERNAL_HANDLE}_for")
# Draws from the workflow's random stream, from which a child without `id=` gets its id.
RANDOM_DRAWS = frozenset({f"{WORKFLOW}.random", f"{WORKFLOW}.uuid4", f"{WORKFLOW}.uuid7"})
# Calls whose coroutine arguments run as tasks in argument order.
TASK_COMBINATORS = frozenset(
    {
        "asyncio.gather",
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.shield",
        "asyncio.wait_for",
        "asyncio.wait",
        "asyncio.as_completed",
        f"{WORKFLOW}.wait",
        f"{WORKFLOW}.as_completed",
    }
)
