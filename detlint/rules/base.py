"""The rule base classes. A rule is one class: its metadata, its documentation (the class
docstring, in ruff's sections) and its check. Subclassing registers it.

* `ReferenceRule`: flags uses of names (calls, reads) matched by `patterns`; works on facts.
* `TreeRule`: needs the syntax tree; its `visit_<Node>` hooks run inside the single parsing
  pass (see analysis/extract.py) and report `Effect`s through the context.
* `ProjectRule`: joins facts across the project (a call site with the definition it calls);
  runs once per check on the project index.
* `Rule`: anything else (DET001 is produced by the engine itself).
"""

from __future__ import annotations

import enum
import inspect
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, ClassVar, Iterable, Sequence

from detlint.analysis.facts import Effect, FixPlan, ModuleFacts, Reference
from detlint.model import Diagnostic, Severity

if TYPE_CHECKING:
    from detlint.analysis.index import Node, ProjectIndex
    from detlint.config import Settings

CODE_PATTERN = re.compile(r"^DET\d{3}$")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")


class Role(enum.Enum):
    """Where a rule applies."""

    WORKFLOW = "workflow"
    ACTIVITY = "activity"
    ANY = "any"


_REGISTRY: dict[str, type[Rule]] = {}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, names the pattern ("wall-clock-read")
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line, for `detlint rules` and SARIF shortDescription
    default_enabled: ClassVar[bool] = True
    role: ClassVar[Role] = Role.WORKFLOW

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls) or "code" not in cls.__dict__:
            return  # an intermediate base class
        if not CODE_PATTERN.match(cls.code) or cls.code in _REGISTRY:
            raise TypeError(f"{cls.__name__}: bad or duplicate rule code {cls.code!r}")
        _REGISTRY[cls.code] = cls

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")


# ---------------------------------------------------------------------------------------------
# Reference rules


@dataclass(frozen=True)
class Pattern:
    """Which references a rule flags, and the replacement to advise.

    * `Pattern.call("time.time")`: a call of exactly that name.
    * `Pattern.module("subprocess")`: a call of anything in the module (`subprocess.run`,
      `subprocess.Popen`), not of what those return (`subprocess.run().check_returncode`).
    * `Pattern.method("pathlib.Path()", "read_text", ..., through=("parent",))`: a method called
      on a value, directly or through the attributes and calls named in `through`
      (`Path(p).parent.read_text()`, but not `Path(p).name.replace(...)`).
    * `Pattern.access("os.environ")`: any use of the name, called or not (`os.environ["X"]`,
      `os.environ.get("X")`).
    """

    kind: str
    name: str
    methods: frozenset[str] = frozenset()
    through: frozenset[str] = frozenset()
    advice: str | None = None

    @classmethod
    def call(cls, name: str, advice: str | None = None) -> Pattern:
        return cls("call", name, advice=advice)

    @classmethod
    def module(cls, name: str, advice: str | None = None) -> Pattern:
        return cls("module", name, advice=advice)

    @classmethod
    def method(
        cls, receiver: str, *methods: str, through: tuple[str, ...] = (), advice: str | None = None
    ) -> Pattern:
        return cls("method", receiver, frozenset(methods), frozenset(through), advice=advice)

    @classmethod
    def access(cls, name: str, advice: str | None = None) -> Pattern:
        return cls("access", name, advice=advice)

    def matches(self, ref: Reference) -> bool:
        name = ref.name
        if self.kind == "access":
            return name == self.name or name.startswith(self.name + ".")
        if not ref.called:
            return False
        if self.kind == "call":
            return name == self.name
        if self.kind == "module":
            rest = name.removeprefix(self.name + ".")
            return rest != name and "()" not in rest
        head, _, method = name.rpartition(".")
        if method not in self.methods or not (head == self.name or head.startswith(self.name + ".")):
            return False
        between = head[len(self.name) + 1 :]
        return not between or all(segment in self.through for segment in between.split("."))


class ReferenceRule(Rule):
    """Flags references matching `patterns`. `what` is formatted with `{name}`, the display name."""

    patterns: ClassVar[tuple[Pattern, ...]]
    what: ClassVar[str]
    advice: ClassVar[str] = ""

    def applies(self, ref: Reference) -> bool:
        """A further condition on the arguments; override it for `Random()` vs `Random(42)`."""
        return True

    def fix(self, ref: Reference) -> FixPlan | None:
        """The fix for a flagged reference, when there is one (see detlint/fixes.py for the
        builders). Override it in rules that can rewrite what they flag."""
        return None

    def effect(self, ref: Reference, pattern: Pattern) -> Effect | None:
        """The effect of a reference that `pattern` (one of `patterns`) matches, unless the
        rule's further conditions (`applies`) rule it out."""
        if not self.applies(ref):
            return None
        return Effect(
            code=self.code,
            what=self.what.format(name=f"`{ref.display}`"),
            advice=pattern.advice or self.advice,
            range=ref.range,
            leaf=ref.display,
            fix=self.fix(ref),
        )


class ReferenceMatcher:
    """Reference rules with their patterns filed by name. Every pattern's name is a
    reference's name or a dotted prefix of it (`time.time`, `os.environ`, `pathlib.Path()`),
    so a reference is compared only with the patterns filed under its prefixes, not with all
    of them: most references match nothing."""

    def __init__(self, rules: Sequence[ReferenceRule]) -> None:
        self.rules = rules
        self._exact: dict[str, list[tuple[int, Pattern]]] = defaultdict(list)  # call patterns
        self._by_prefix: dict[str, list[tuple[int, int, Pattern]]] = defaultdict(list)
        for number, rule in enumerate(rules):
            for index, pattern in enumerate(rule.patterns):
                if pattern.kind == "call":
                    self._exact[pattern.name].append((number, pattern))
                else:
                    self._by_prefix[pattern.name].append((number, index, pattern))
        self._matches: dict[tuple[str, bool], dict[int, Pattern]] = {}  # memo of _first_matches

    def effects(self, references: Sequence[Reference]) -> list[Effect]:
        """Per rule (in order), the effects of the references (in order)."""
        found: list[list[Effect]] = [[] for _ in self.rules]
        for ref in references:
            key = (ref.name, ref.called)
            matches = self._matches.get(key)
            if matches is None:
                matches = self._matches[key] = self._first_matches(ref)
            for number, pattern in matches.items():
                effect = self.rules[number].effect(ref, pattern)
                if effect is not None:
                    found[number].append(effect)
        return [effect for effects in found for effect in effects]

    def _first_matches(self, ref: Reference) -> dict[int, Pattern]:
        """Rule number -> its first pattern that matches: an exact call pattern first, else the
        first module, method or access pattern in the rule's order. Patterns read only the
        reference's name and whether it is called."""
        chosen: dict[int, tuple[int, Pattern]] = {}
        if ref.called:
            for number, pattern in self._exact.get(ref.name, ()):
                chosen.setdefault(number, (-1, pattern))
        name, end = ref.name, 0
        while end != -1:
            end = name.find(".", end + 1)
            for number, index, pattern in self._by_prefix.get(name if end == -1 else name[:end], ()):
                if (number not in chosen or index < chosen[number][0]) and pattern.matches(ref):
                    chosen[number] = (index, pattern)
        return {number: pattern for number, (_, pattern) in chosen.items()}


# ---------------------------------------------------------------------------------------------
# Tree rules


class TreeRule(Rule):
    """A rule that inspects syntax. Define `visit_<LibCST node class>(self, node, ctx)` methods;
    report with `ctx.report(self, node, what, advice, leaf)`. The extractor collects the hooks
    of every tree rule once per class, and calls them during its one pass over each file.

    `requires`, when set, is what a file's text (its bytes) must match for the rule to find
    anything in it: a necessary condition, such as `except` for a rule about exception
    handlers. In a file that does not match, the rule's hooks are not called at all."""

    requires: ClassVar[re.Pattern[bytes] | None] = None

    @classmethod
    def hooks(cls) -> dict[str, str]:
        """Node class name -> method name, for the visit hooks this rule defines."""
        return {
            attr.removeprefix("visit_"): attr
            for attr in dir(cls)
            if attr.startswith("visit_") and callable(getattr(cls, attr))
        }


# ---------------------------------------------------------------------------------------------
# Project rules


class ProjectRule(Rule):
    """A rule over the whole project's facts. It is created with the settings of the folder the
    check runs in; `settings_of(module)` gives each file's own settings for per-file options.
    Its diagnostics go through the same selection, per-file ignores and `# noqa` as the rest.

    A project rule either reports diagnostics itself (`check`), or finds effects in functions
    by joining facts across modules (`effects`: a call site in a workflow with the activity it
    names), which are then reported like every other effect: by role, and through helpers at
    the root's call site with the chain. A rule that is also a `TreeRule` may withdraw the
    effects its hooks found once the whole project is known (`withdraws`)."""

    def check(self, index: ProjectIndex, settings_of: Callable[[ModuleFacts], Settings]) -> Iterable[Diagnostic]:
        return ()

    def effects(self, index: ProjectIndex, node: Node) -> Iterable[Effect]:
        """Effects in `node`'s function found by joining facts across the project."""
        return ()

    def withdraws(self, effect: Effect, index: ProjectIndex, node: Node) -> bool:
        """Whether an effect of this rule's code, found in `node` while parsing, is void."""
        return False


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by code, sorted by code (imports the rule modules once)."""
    from detlint import rules as package

    package.load_all()
    return dict(sorted(_REGISTRY.items()))
