from __future__ import annotations

from detlint.analysis.nodes import child_nodes, source_of
from detlint.analysis.scopes import PATH_VALUES
from detlint.lazy import cst
from detlint.rules._idempotency import (
    INTERPOLATION,
    ActivityFlowRule,
    CallName,
    argument,
)

# Functions that open a file with the mode as their second argument.
_OPEN_FUNCTIONS = frozenset(
    {
        "builtins.open",
        "io.open",
        "codecs.open",
        "gzip.open",
        "bz2.open",
        "lzma.open",
        "aiofiles.open",
        "anyio.open_file",
        "zipfile.ZipFile",
        "tarfile.open",
        "tarfile.TarFile",
    }
)
_PATH_OWNERS = (*PATH_VALUES, "anyio.Path()", "trio.Path()")


class AppendWrite(ActivityFlowRule):
    """
    ## What it does
    Flags relative writes to files from activity code: opening a file in append mode
    (`open(p, "a")`, `io.open`, `codecs.open`, `gzip.open`, `aiofiles.open`,
    `anyio.open_file`, `Path(p).open("a")`, a `zipfile.ZipFile`/`tarfile` opened with `"a"`),
    `os.open` with `os.O_APPEND`, and `p.write_text(p.read_text() + ...)`.

    A mode that is not a literal is not flagged.

    ## Why is this bad?
    Temporal retries an activity until it succeeds. An attempt that appended its lines and
    then failed is run again and appends them a second time: the export has duplicate rows,
    the archive a duplicate member. Writing the whole file (mode `"w"`) to a path that
    identifies the operation gives the same file however often it runs.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts.
    - **What you would see:** Duplicate lines in the file: no error at all.

    ## Example
    ```python
    from temporalio import activity


    @activity.defn
    def export_order(path: str, line: str) -> None:
        with open(path, "a") as out:
            out.write(line + "\\n")
    ```

    ## Use instead
    ```python
    from pathlib import Path

    from temporalio import activity


    @activity.defn
    def export_order(folder: str, line: str) -> None:
        info = activity.info()
        target = Path(folder) / f"{info.workflow_id}-{info.activity_id}.csv"
        target.write_text(line + "\\n")
    ```
    To build one file from many activities, write one part per activity execution and
    concatenate them in a final step.

    ## Fix safety
    No fix is offered.
    """

    code = "DET304"
    name = "append-write"
    summary = "File appended to (or written relative to its content) from an activity"

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self.active(ctx) or any(arg.star for arg in node.args):
            return
        name = self.resolve(node.func, ctx)
        if name is None:
            return
        owner, _, method = name.rpartition(".")
        leaf = CallName(node)
        if name in _OPEN_FUNCTIONS:
            mode = self.text(argument(node, 1, "mode"), ctx)
            if _appends(mode):
                self._report(node, f'`{leaf}` opens the file in append mode `"{mode}"`', leaf, ctx)
        elif owner.startswith(_PATH_OWNERS) and method == "open":
            mode = self.text(argument(node, 0, "mode"), ctx)
            if _appends(mode):
                self._report(node, f'`{leaf}` opens the file in append mode `"{mode}"`', leaf, ctx)
        elif name == "os.open":
            flags = argument(node, 1, "flags")
            if flags is not None and self._has_append_flag(flags, ctx):
                self._report(node, f"`{leaf}` opens the file with `os.O_APPEND`", leaf, ctx)
        elif owner.startswith(_PATH_OWNERS) and method in ("write_text", "write_bytes"):
            if isinstance(node.func, cst.Attribute) and self._reads_itself(node, node.func.value):
                self._report(node, f"`{leaf}` rewrites the file from its own content", leaf, ctx)

    def _has_append_flag(self, flags: cst.BaseExpression, ctx) -> bool:
        stack = [flags]
        while stack:
            current = stack.pop()
            if isinstance(current, (cst.Name, cst.Attribute)) and ctx.resolve(current) == "os.O_APPEND":
                return True
            if isinstance(current, cst.BinaryOperation):
                stack.extend((current.left, current.right))
        return False

    def _reads_itself(self, node: cst.Call, receiver: cst.BaseExpression) -> bool:
        """`p.write_text(p.read_text() + x)`: the data depends on what the file holds."""
        wanted = source_of(receiver)
        for arg in node.args:
            stack: list[cst.CSTNode] = [arg.value]
            while stack:
                current = stack.pop()
                if (
                    isinstance(current, cst.Call)
                    and isinstance(current.func, cst.Attribute)
                    and current.func.attr.value in ("read_text", "read_bytes")
                    and source_of(current.func.value) == wanted
                ):
                    return True
                stack.extend(child_nodes(current))
        return False

    def _report(self, node: cst.Call, what: str, leaf: object, ctx) -> None:
        ctx.report(
            self,
            node,
            f"{what}, so a retried attempt writes the data again",
            'write the whole file (mode "w") to a path derived from the input or `activity.info()`',
            str(leaf),
        )


def _appends(mode: str | None) -> bool:
    """An append mode: `"a"`, `"ab"`, `"a+"`, tarfile's `"a:"`."""
    return mode is not None and INTERPOLATION not in mode and "a" in mode.split(":")[0]
