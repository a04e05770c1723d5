from detlint.fixes import SAFE, WORKFLOW, replace_call, replace_callee
from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

# Generators that are deterministic once given a seed: only the unseeded ones are flagged.
_SEEDABLE = frozenset({"random.Random", "numpy.random.default_rng", "numpy.random.RandomState"})
# The `random` module's functions that draw: each is a method of `random.Random` too.
_DRAWS = frozenset(
    {
        "random", "uniform", "triangular", "randint", "randrange", "choice", "choices", "shuffle",
        "sample", "getrandbits", "randbytes", "gauss", "normalvariate", "lognormvariate", "expovariate",
        "vonmisesvariate", "gammavariate", "betavariate", "paretovariate", "weibullvariate",
        "binomialvariate",
    }
)  # fmt: skip


class RandomnessOrFreshId(ReferenceRule):
    """
    ## What it does
    Flags randomness and fresh identifiers in workflow code: the `random` module's functions,
    `random.Random()` without a seed, `random.SystemRandom`, the `secrets` module, `os.urandom`,
    `uuid.uuid1()`, `uuid.uuid4()`, `uuid.uuid7()` and `numpy.random`.

    ## Why is this bad?
    A replay draws other numbers than the original execution, so anything decided on them (a
    branch, an id passed to an activity, a child workflow id) differs from history and the
    replay breaks. The sandbox rejects the `random` functions and `uuid4()` at run time, but
    not an unseeded `random.Random()` or `random.SystemRandom()`, which seed from the operating
    system's entropy.

    ## What Temporal does
    - **Sandbox:** The module-level `random` functions, `uuid.uuid1()`, `uuid4()`, `uuid7()` and
      the `secrets` functions raise `RestrictedWorkflowAccessError` when called; the workflow
      task fails and is retried until a fixed worker is deployed. `random.Random()` and
      `random.SystemRandom()` are classes the sandbox lets through.
    - **On replay:** A random child workflow id or activity id is compared with the recorded
      one, and a branch on a random number issues other commands: either fails the replay.
    - **What you would see:** `RestrictedWorkflowAccessError`; without the sandbox (or through
      an unseeded `Random()`), a `[TMPRL1100]` non-determinism error.

    ## Example
    ```python
    import uuid

    from temporalio import workflow


    @workflow.defn
    class Order:
        @workflow.run
        async def run(self) -> str:
            return str(uuid.uuid4())
    ```

    ## Use instead
    ```python
    from temporalio import workflow


    @workflow.defn
    class Order:
        @workflow.run
        async def run(self) -> str:
            return str(workflow.uuid4())
    ```
    `workflow.random()` is a `random.Random` seeded from history and `workflow.uuid4()` draws
    from it, so a replay gets the same values. A `random.Random(42)` with a constant seed,
    `uuid.uuid3()` and `uuid.uuid5()` are deterministic and not flagged.

    ## Fix safety
    `uuid.uuid4()` becomes `workflow.uuid4()`, and a draw from the `random` module
    (`random.randint(1, 6)`, `choice(items)` after `from random import choice`) becomes the
    same method of `workflow.random()` (`workflow.random().randint(1, 6)`). Both fixes are
    safe: the module's functions are the methods of a hidden `random.Random`, so the call takes
    the same arguments and returns the same kind of value, now drawn from the generator that
    history seeds; `workflow.uuid4()` returns a `uuid.UUID` version 4 as well.

    The fix adds `from temporalio import workflow` when the file does not import it, and removes
    an import it leaves unused. No fix is offered for `random.seed()` and `random.setstate()`
    (they would reseed the workflow's generator), for unseeded generators, `secrets`,
    `os.urandom`, `uuid1()`, `uuid7()` and `numpy.random`, which have no drop-in replacement,
    at a module's top level, which runs at import time where `workflow.random()` raises, or in
    a query handler or update validator: drawing from the workflow's generator there changes
    its state outside history, and randomness does not belong there at all.
    """

    code = "DET102"
    name = "randomness-or-fresh-id"
    severity = Severity.ERROR
    summary = "Randomness or a fresh id in workflow code"
    what = "{name} draws a value that differs on replay"
    advice = f"use `{temporal.RANDOM}`"
    patterns = (
        *(Pattern.call(name, advice=f"seed it, or use `{temporal.RANDOM}`") for name in sorted(_SEEDABLE)),
        Pattern.call("random.SystemRandom"),
        Pattern.module("random"),
        Pattern.module("secrets"),
        Pattern.call("os.urandom"),
        Pattern.call("uuid.uuid1", advice=f"use `{temporal.UUID4}`"),
        Pattern.call("uuid.uuid4", advice=f"use `{temporal.UUID4}`"),
        Pattern.call("uuid.uuid7", advice="use `workflow.uuid7()`"),
        Pattern.module("numpy.random", advice=f"seed a generator from `{temporal.RANDOM}`"),
    )

    def applies(self, ref):
        if ref.name == "secrets.compare_digest":
            return False  # a constant-time comparison, not a draw
        if ref.name not in _SEEDABLE:
            return True
        seeds = [argument.source for argument in ref.arguments.items]
        # `Random()` and `Random(None)` seed themselves from the operating system.
        return not ref.arguments.starred and seeds in ([], ["None"])

    def fix(self, ref):
        if ref.name == "uuid.uuid4" and not ref.arguments.items and not ref.arguments.starred:
            replacement = f"{WORKFLOW}.uuid4()"
            return replace_call(ref, replacement, SAFE, f"Replace with `{replacement}`", changes_state=True)
        module, _, function = ref.name.rpartition(".")
        if module == "random" and function in _DRAWS:
            replacement = f"{WORKFLOW}.random().{function}"
            return replace_callee(ref, replacement, SAFE, f"Replace with `{replacement}()`", changes_state=True)
        return None
