from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_OS_FILE_CALLS = (
    "open", "fdopen", "read", "write", "listdir", "scandir", "walk", "fwalk", "mkdir", "makedirs",
    "remove", "unlink", "rmdir", "removedirs", "rename", "renames", "replace", "stat", "lstat",
    "chmod", "chown", "lchown", "chdir", "link", "symlink", "readlink", "truncate", "utime",
    "access", "mkfifo", "statvfs", "sendfile",
)  # fmt: skip
_OS_PATH_CALLS = (
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "isjunction", "getsize",
    "getmtime", "getatime", "getctime", "samefile", "sameopenfile", "realpath",
)  # fmt: skip
# The pathlib methods that touch the filesystem (the sandbox's list); construction and pure
# path arithmetic (`/`, `.name`, `.with_suffix()`) do not.
_PATH_METHODS = (
    "chmod", "exists", "expanduser", "glob", "group", "hardlink_to", "is_block_device",
    "is_char_device", "is_dir", "is_fifo", "is_file", "is_junction", "is_mount", "is_socket",
    "is_symlink", "iterdir", "lchmod", "link_to", "lstat", "mkdir", "open", "owner", "read_bytes",
    "read_link", "readlink", "read_text", "rename", "replace", "resolve", "absolute", "rglob",
    "rmdir", "samefile", "stat", "symlink_to", "touch", "unlink", "walk", "write_bytes",
    "write_text", "copy", "copy_into", "move", "move_into",
)  # fmt: skip
_PATH_VALUES = ("parent", "with_name()", "with_stem()", "with_suffix()", "joinpath()", "relative_to()")
_PATH_CLASSES = ("pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath")


class FilesystemAccess(ReferenceRule):
    """
    ## What it does
    Flags filesystem I/O in workflow code: `open()`, `io.open()`, the `os` calls that touch
    files and folders, `os.path.exists()`/`isfile()`/`getsize()`/... , the `pathlib.Path`
    methods that read or write the disk, and the `shutil`, `tempfile`, `glob` and `fileinput`
    modules, `gzip.open()`, `bz2.open()`, `lzma.open()` and `tarfile.open()`.

    ## Why is this bad?
    Files differ between the machine that ran the workflow first and the one that replays it,
    and change over time: what the workflow read is not in history. Writes happen again on
    every replay. The sandbox rejects most of these calls at run time; it lets `io.open()`
    through.

    ## What Temporal does
    - **Sandbox:** `open()`, the `pathlib.Path` I/O methods, `os`, `shutil`, `tempfile` and
      `glob` raise `RestrictedWorkflowAccessError` while the workflow runs; the workflow task
      fails and is retried until a fixed worker is deployed. `io.open()` passes.
    - **On replay:** What was read is not in history, and writes happen again on every replay; a
      read that decides a command issues another one on the machine that replays.
    - **What you would see:** `RestrictedWorkflowAccessError`; without the sandbox, duplicated
      writes and a `[TMPRL1100]` non-determinism error.

    ## Example
    ```python
    from temporalio import workflow


    @workflow.defn
    class Import:
        @workflow.run
        async def run(self, path: str) -> int:
            with open(path) as f:
                return len(f.read())
    ```

    ## Use instead
    Read the file in an activity, and give the workflow its result:
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def count_bytes(path: str) -> int:
        ...


    @workflow.defn
    class Import:
        @workflow.run
        async def run(self, path: str) -> int:
            return await workflow.execute_activity(
                count_bytes, path, start_to_close_timeout=timedelta(minutes=1)
            )
    ```
    Pure path arithmetic (`os.path.join()`, `os.path.basename()`, `Path(p) / "x"`,
    `Path(p).suffix`) is deterministic and not flagged.

    ## Fix safety
    No fix is offered.
    """

    code = "DET106"
    name = "filesystem-access"
    severity = Severity.ERROR
    summary = "Filesystem I/O in workflow code"
    what = "{name} touches the filesystem, which a replay does not reproduce"
    advice = "do file I/O in an activity"
    patterns = (
        Pattern.call("builtins.open"),
        Pattern.call("io.open"),
        Pattern.call("io.open_code"),
        *(Pattern.call(f"os.{name}") for name in _OS_FILE_CALLS),
        *(Pattern.call(f"os.path.{name}") for name in _OS_PATH_CALLS),
        *(Pattern.method(f"{cls}()", *_PATH_METHODS, through=_PATH_VALUES) for cls in _PATH_CLASSES),
        *(Pattern.method(cls, "cwd", "home") for cls in _PATH_CLASSES),
        Pattern.module("shutil"),
        Pattern.module("tempfile"),
        Pattern.module("glob"),
        Pattern.module("fileinput"),
        *(Pattern.call(f"{module}.open") for module in ("gzip", "bz2", "lzma", "tarfile")),
    )
