from detlint.model import Severity
from detlint.rules.base import Role, Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file that could not be read as Python: a syntax error, or bytes that do not
    decode in the file's encoding. The finding sits where Python's own compiler reports the
    problem, the line you would see from `python file.py`.

    ## Why is this bad?
    detlint cannot check what it cannot parse, and the Temporal worker cannot import it either.
    Every other file is still analysed.

    ## What Temporal does
    - **Sandbox:** Does not get that far: the worker imports the workflow module when it starts,
      and the import raises.
    - **On replay:** Nothing is replayed.
    - **What you would see:** `SyntaxError` when the worker (or a test) imports the module.

    ## Example
    ```python
    def run(self) -> None
        pass
    ```

    ## Use instead
    ```python
    def run(self) -> None:
        pass
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "The file could not be parsed"
    role = Role.ANY
