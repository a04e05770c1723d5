from detlint.frameworks import temporal
from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

# Generators that are deterministic once given a seed: only the unseeded ones are flagged.
_SEEDABLE = frozenset({"random.Random", "numpy.random.default_rng", "numpy.random.RandomState"})


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
    No fix is offered yet.
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
