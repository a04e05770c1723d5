"""What one file says, in a small serialisable form: the only product of parsing.

Names are resolved qualified names. A segment ending in "()" stands for "the value returned by
calling this": `pathlib.Path().read_text` is the method of a Path instance, `pkg.mod.Order()`
an instance of the project class `pkg.mod.Order`, `builtins.set()` a set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from detlint.model import Applicability, Edit, Range

MODULE_SCOPE = "<module>"


@dataclass(frozen=True)
class Argument:
    keyword: str | None  # None for a positional argument
    source: str  # its source text, shortened when long
    value: str | None = None  # what it resolves to (a qualified name or value), when known
    range: Range | None = None  # where it is (for fixes that write around it)


@dataclass(frozen=True)
class Arguments:
    """A call's arguments, enough to tell `Random()` from `Random(42)` or to read a keyword.

    A `**mapping` whose keys can be read (a dict literal, `dict(k=v)`, a `TypedDict` of options
    such as `ActivityConfig(...)`, or a name bound once to one of those and never changed in
    place) contributes its entries as keyword arguments; any other `*args`/`**kwargs` makes
    the call's real arguments unknown (`starred`).
    """

    items: tuple[Argument, ...] = ()
    starred: bool = False  # *args or an unreadable **kwargs: the real arguments are unknown

    @property
    def positional(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.items if a.keyword is None)

    def keyword(self, name: str) -> Argument | None:
        return next((a for a in self.items if a.keyword == name), None)

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Reference:
    """A use of a resolved name: a call, or a read of an imported name (`os.environ`)."""

    name: str
    range: Range
    called: bool
    arguments: Arguments = Arguments()
    # For fixes: the callee expression's range (`time.time` in `time.time()`), the name it
    # starts with (`time`; `now` for `now()`), and whether the call is an expression statement
    # directly in an `async def` body, where `await` may be written before it.
    func: Range | None = None
    head: str | None = None
    awaitable: bool = False

    @property
    def display(self) -> str:
        """The name as a reader knows it: `datetime.datetime.now()`, `print()`, `pathlib.Path().open()`."""
        text = self.name.removeprefix("builtins.")
        return f"{text}()" if self.called else text


# In the text of a `FixPlan`'s edits, a module the file may not have imported yet: the engine
# writes the name the file knows it by, and adds the import when there is none.
def module_placeholder(qualified: str) -> str:
    return f"\x00{qualified}\x00"


@dataclass(frozen=True)
class FixPlan:
    """A fix as a rule proposes it where it reports, before the file's imports are known.

    Its edits are at the finding itself; their text may name a module through
    `module_placeholder("temporalio.workflow")`. `releases` names the imported names whose
    uses the edits delete (`time` when `time.time()` goes), once per use. The engine turns a
    plan into the `Fix` of a finding in its own file (see detlint/fixes.py): it writes the
    module's name as the file imports it (`workflow`, `wf`), adds the import when missing and
    removes imports the fix leaves unused.
    """

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]
    releases: tuple[str, ...] = ()
    # The replacement changes workflow state (draws from the workflow's random generator,
    # starts a timer): not offered in query handlers and update validators, which must not.
    changes_state: bool = False


@dataclass(frozen=True)
class Effect:
    """A finding candidate inside one function, before roles decide whether it is reported.

    `what` describes the problem, `advice` the replacement; the message is
    "{what}{via chain}; {advice}" so a finding reached through helpers can name its path.
    """

    code: str
    what: str
    advice: str
    range: Range
    leaf: str  # how the chain's last hop reads: `time.time()`, `set iteration`
    fix: FixPlan | None = None  # offered when the effect is reported where it is

    def message(self, via: str = "") -> str:
        chain = f" (via {via})" if via else ""
        return f"{self.what}{chain}; {self.advice}"


@dataclass
class FunctionFacts:
    qualname: str  # "pkg.mod.Class.method", "pkg.mod.helper", "pkg.mod.<module>"
    display: str  # "Class.method", "helper", "<module>"
    range: Range  # the def line (the module's first line for MODULE_SCOPE)
    class_qualname: str | None = None
    decorators: tuple[str, ...] = ()
    is_async: bool = False
    # The arguments of decorators written as calls, by decorator: `@activity.defn(name="x")`.
    decorator_arguments: dict[str, Arguments] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)  # found by tree rules while parsing


@dataclass
class ClassFacts:
    qualname: str
    range: Range
    decorators: tuple[str, ...] = ()
    decorator_arguments: dict[str, Arguments] = field(default_factory=dict)  # as FunctionFacts'
    bases: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()  # qualnames of the functions defined in its body


@dataclass
class ParseFailure:
    message: str
    line: int
    column: int  # 1-based


@dataclass(frozen=True)
class ImportStatement:
    """A top-level import line, for fixes that add a name to it or remove one."""

    range: Range  # the whole line: its first column to the start of the next line
    source: str  # the text in `range`
    module: str | None  # `from X import ...`: X, when absolute; None for `import ...`
    names: tuple[str, ...]  # the names it binds
    imported: tuple[str, ...]  # what each binds: `import a.b` -> "a.b", `from a import b` -> "a.b"
    # A group of its own: the file's start or a blank line before it, a blank line after it
    # (removing the line removes that blank line too).
    alone: bool = False


@dataclass
class FixContext:
    """What fixes need to know about a module's names.

    * `aliases`: top-level names bound to one value that no other scope rebinds, so they mean
      the same everywhere in the file (`{"wf": "temporalio.workflow"}`).
    * `bound`: every name bound anywhere in the file (a new import must not clash).
    * `uses`: how often each name bound by a top-level import is used (read anywhere outside
      import statements, or listed in `__all__`); an over-count only keeps an import.
    """

    imports: tuple[ImportStatement, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    bound: frozenset[str] = frozenset()
    uses: dict[str, int] = field(default_factory=dict)
    newline: str = "\n"


@dataclass
class ModuleFacts:
    path: Path
    module: str
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    # Every module this one imports (`import a.b` -> "a.b"; `from a import b` -> "a", "a.b"):
    # the project modules among them are analysed too.
    imports: tuple[str, ...] = ()
    # What the module's top-level names stand for, so `from pkg import helper` reaches the
    # function an `__init__.py` re-exports: {"helper": "pkg.impl.helper"}.
    exports: dict[str, str] = field(default_factory=dict)
    # line -> codes silenced by `# noqa: ...` on it; an empty set is a blanket `# noqa`.
    noqa: dict[int, frozenset[str]] = field(default_factory=dict)
    parse_failure: ParseFailure | None = None
    # The command skeleton of each workflow class, for versioning (see analysis/skeleton.py).
    workflow_skeletons: list[dict] = field(default_factory=list)
    # Definitions registered under an explicit type name: {"pkg.acts.charge": "charge-card"}
    # for `@activity.defn(name="charge-card")` (any decorator call with a string `name=`).
    explicit_names: dict[str, str] = field(default_factory=dict)
    fix_context: FixContext = field(default_factory=FixContext)

    @property
    def module_scope(self) -> str:
        return f"{self.module}.{MODULE_SCOPE}"
