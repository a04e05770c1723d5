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

# -- Invoking activities, timers and children (DET2xx) ------------------------------------------

# TypedDicts of activity options, spread into the call (`**workflow.ActivityConfig(...)`).
OPTION_DICTS = frozenset({f"{WORKFLOW}.ActivityConfig", f"{WORKFLOW}.LocalActivityConfig"})
ACTIVITY_HEARTBEAT = f"{ACTIVITY}.heartbeat"
RETRY_POLICY = "temporalio.common.RetryPolicy"


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
ALL_HANDLERS_FINISHED = f"{WORKFLOW}.all_handlers_finished"
# Activity options: the two that bound an attempt (at least one is required), and the ones a
# local activity does not take.
CLOSE_TIMEOUTS = ("start_to_close_timeout", "schedule_to_close_timeout")
NOT_FOR_LOCAL_ACTIVITIES = ("heartbeat_timeout", "task_queue")
# Coroutine functions whose call does nothing until awaited: as a bare statement the command
# is never issued (DET209). `start_activity*` return a scheduled handle and are not here.
COROUTINE_COMMANDS = frozenset(
    {name for name, (_, _, execute) in ACTIVITY_FUNCTIONS.items() if execute}
    | CHILD_WORKFLOW_FUNCTIONS
    | {f"{WORKFLOW}.sleep", WAIT_CONDITION, "asyncio.sleep"}
)
# Handles whose methods issue commands and are coroutines: `handle.signal(...)`.
COMMAND_HANDLES = (f"{WORKFLOW}.get_external_workflow_handle", f"{WORKFLOW}.create_nexus_client")
COROUTINE_HANDLE_METHODS = frozenset({"signal", "cancel", "start_operation", "execute_operation"})

# -- Workflow structure and patterns (DET4xx) ----------------------------------------------

WORKFLOW_RUN = f"{WORKFLOW}.run"
WORKFLOW_SIGNAL = f"{WORKFLOW}.signal"
WORKFLOW_QUERY = f"{WORKFLOW}.query"
WORKFLOW_UPDATE = f"{WORKFLOW}.update"
DYNAMIC_CONFIG = f"{WORKFLOW}.dynamic_config"
# `@<update method>.validator` (the attribute of an update method that registers a validator).
VALIDATOR_ATTRIBUTE = "validator"
# `@workflow.defn(failure_exception_types=[...])`: exceptions that fail the workflow.
FAILURE_EXCEPTION_TYPES = "failure_exception_types"
# `@workflow.signal/update(unfinished_policy=HandlerUnfinishedPolicy.ABANDON)`: the author
# accepts that the handler may be cut short when the workflow finishes.
UNFINISHED_POLICY = "unfinished_policy"
ABANDON_POLICY = f"{WORKFLOW}.HandlerUnfinishedPolicy.ABANDON"

CONTINUE_AS_NEW = f"{WORKFLOW}.continue_as_new"
# Methods of `workflow.info()` that tell a loop when to continue-as-new.
HISTORY_CHECKS = frozenset({"is_continue_as_new_suggested", "get_current_history_length", "get_current_history_size"})
# Clocks a loop may be bounded by (`while workflow.now() < deadline`).
WORKFLOW_CLOCKS = frozenset({f"{WORKFLOW}.now", f"{WORKFLOW}.time", f"{WORKFLOW}.time_ns"})

# Calls that run an activity or a child workflow: a saga's steps.
STEP_CALLS = frozenset(
    name for name in COMMAND_CALLS if name.rpartition(".")[2].startswith(("execute_", "start_"))
)
# Calls that add events to history each time a loop goes round: steps, timers and waits.
HISTORY_GROWING_CALLS = STEP_CALLS | {f"{WORKFLOW}.sleep", f"{WORKFLOW}.wait_condition", "asyncio.sleep"}
# Calls that raise ReadOnlyContextError in a query or update validator, besides commands.
READ_ONLY_VIOLATIONS = frozenset(
    {
        f"{WORKFLOW}.random",
        f"{WORKFLOW}.uuid4",
        f"{WORKFLOW}.uuid7",
        f"{WORKFLOW}.new_random",
        f"{WORKFLOW}.set_query_handler",
        f"{WORKFLOW}.set_signal_handler",
        f"{WORKFLOW}.set_update_handler",
        f"{WORKFLOW}.set_dynamic_query_handler",
        f"{WORKFLOW}.set_dynamic_signal_handler",
        f"{WORKFLOW}.set_dynamic_update_handler",
    }
)

# Exceptions: Temporal failures fail the workflow (everything under temporalio.exceptions is a
# FailureError or raised by the SDK itself); asyncio's CancelledError is cancellation.
FAILURE_MODULE = "temporalio.exceptions"
APPLICATION_ERROR = f"{FAILURE_MODULE}.ApplicationError"
CANCELLED_ERRORS = frozenset({"asyncio.CancelledError", "asyncio.exceptions.CancelledError"})
# The SDK fails the workflow (not the task) on asyncio.TimeoutError, which is the builtin
# TimeoutError since Python 3.11.
TIMEOUT_ERRORS = frozenset({"asyncio.TimeoutError", "asyncio.exceptions.TimeoutError", "builtins.TimeoutError"})

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
