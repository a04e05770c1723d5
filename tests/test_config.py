from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest

from detlint.config import (
    DEFAULT_EXCLUDE,
    DEFAULT_HEAVY_IMPORTS,
    DEFAULT_IDEMPOTENCY_HEADERS,
    DEFAULT_IDEMPOTENCY_REQUIRED_CALLS,
    ConfigError,
    Settings,
    SettingsResolver,
    find_config_file,
    load_settings,
)

KNOWN = {"DET001", "DET101", "DET102", "DET206"}
DEFAULT_ON = {"DET001": True, "DET101": True, "DET102": True, "DET206": False}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def enabled(settings: Settings) -> set[str]:
    return {code for code, default in DEFAULT_ON.items() if settings.is_enabled(code, default)}


def load_error(tmp_path: Path, text: str, name: str = "pyproject.toml") -> str:
    config = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as info:
        load_settings(config, KNOWN, cwd=tmp_path)
    return str(info.value)


# --------------------------------------------------------------------------- lookup


def test_find_nearest_config_walking_up(tmp_path: Path) -> None:
    top = write(tmp_path / "pyproject.toml", "[tool.detlint]\n")
    sub = write(tmp_path / "sub" / "detlint.toml", "")
    (tmp_path / "sub" / "pkg" / "deep").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    assert find_config_file(tmp_path / "sub" / "pkg" / "deep") == sub
    assert find_config_file(tmp_path / "sub") == sub
    assert find_config_file(tmp_path / "other") == top


def test_detlint_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.detlint]\nselect = ['DET1']\n")
    own = write(tmp_path / "detlint.toml", "select = ['DET2']\n")
    assert find_config_file(tmp_path) == own


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    top = write(tmp_path / "detlint.toml", "")
    write(tmp_path / "a" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    # Mentions detlint, but only as a dependency: still no [tool.detlint] table.
    write(tmp_path / "a" / "b" / "pyproject.toml", '[project]\ndependencies = ["detlint"]\n')
    assert find_config_file(tmp_path / "a" / "b") == top


def test_broken_pyproject_unrelated_to_detlint_is_skipped(tmp_path: Path) -> None:
    top = write(tmp_path / "detlint.toml", "")
    write(tmp_path / "a" / "pyproject.toml", "[tool.black\n")
    assert find_config_file(tmp_path / "a") == top


def test_broken_pyproject_with_detlint_table_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.detlint]\nselect = [\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml:\d+:\d+: invalid TOML"):
        find_config_file(tmp_path)


def test_no_config_gives_defaults_rooted_at_cwd(tmp_path: Path) -> None:
    settings = load_settings(None, KNOWN, cwd=tmp_path)
    assert settings.root == tmp_path
    assert settings.config_file is None
    assert settings.select is None
    assert settings.exclude == DEFAULT_EXCLUDE
    assert settings.heavy_imports == DEFAULT_HEAVY_IMPORTS
    assert "grpc" not in DEFAULT_HEAVY_IMPORTS
    assert settings.idempotency_headers == DEFAULT_IDEMPOTENCY_HEADERS
    assert settings.idempotency_required_calls == DEFAULT_IDEMPOTENCY_REQUIRED_CALLS
    assert {"stripe.*.create", "resend.Emails.send"} <= set(DEFAULT_IDEMPOTENCY_REQUIRED_CALLS)


def test_default_idempotency_lists_are_valid_configuration(tmp_path: Path) -> None:
    """A user extends a default list by copying it into their config: it must load as is."""
    headers = ", ".join(f"'{h}'" for h in DEFAULT_IDEMPOTENCY_HEADERS)
    calls = ", ".join(f"'{c}'" for c in DEFAULT_IDEMPOTENCY_REQUIRED_CALLS)
    config = write(
        tmp_path / "detlint.toml",
        f"idempotency-headers = [{headers}]\nidempotency-required-calls = [{calls}, 'acme.pay()']\n",
    )
    settings = load_settings(config, KNOWN, cwd=tmp_path)
    assert settings.idempotency_headers == DEFAULT_IDEMPOTENCY_HEADERS
    assert settings.idempotency_required_calls == (*DEFAULT_IDEMPOTENCY_REQUIRED_CALLS, "acme.pay()")


def test_resolver_is_hierarchical_and_nothing_merges(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.detlint]\nignore = ['DET101']\n")
    write(tmp_path / "sub" / "detlint.toml", "extend-select = ['DET206']\n")
    resolver = SettingsResolver(KNOWN, cwd=tmp_path)

    top = resolver.for_path(tmp_path / "pkg" / "a.py")
    assert top.config_file == tmp_path / "pyproject.toml"
    assert top.root == tmp_path
    assert enabled(top) == {"DET001", "DET102"}

    sub = resolver.for_path(Path("sub/x/b.py"))  # relative to cwd
    assert sub.config_file == tmp_path / "sub" / "detlint.toml"
    assert sub.root == tmp_path / "sub"
    assert enabled(sub) == {"DET001", "DET101", "DET102", "DET206"}  # the parent's ignore is gone

    # A folder is governed by the config of the folder that holds it (it decides entering it).
    assert resolver.for_path(tmp_path / "sub") is top
    # Cached: the same object for the same folder and for each config file.
    assert resolver.for_path(tmp_path / "sub" / "x" / "c.py") is sub
    assert resolver.for_path(tmp_path / "sub" / "d.py") is sub


def test_resolver_without_any_config_uses_defaults(tmp_path: Path) -> None:
    settings = SettingsResolver(KNOWN, cwd=tmp_path).for_path(tmp_path / "a.py")
    assert settings.config_file is None
    assert settings.root == tmp_path


def test_explicit_config_governs_every_path_relative_to_cwd(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "detlint.toml", "select = ['DET1']\n")
    ci = write(tmp_path / "ci" / "strict.toml", "select = ['ALL']\nexclude = ['gen']\n")
    resolver = SettingsResolver(KNOWN, cwd=tmp_path, config_file=Path("ci/strict.toml"))
    settings = resolver.for_path(tmp_path / "sub" / "a.py")
    assert settings.config_file == ci
    assert settings.select == ("ALL",)
    # As ruff: patterns of a --config file are relative to cwd, not to the file's folder.
    assert settings.root == tmp_path
    assert settings.is_excluded(tmp_path / "gen" / "a.py")


def test_explicit_config_errors_are_raised_up_front(tmp_path: Path) -> None:
    write(tmp_path / "bad.toml", "selct = []\n")
    with pytest.raises(ConfigError, match=r"^bad\.toml:1: unknown key 'selct'"):
        SettingsResolver(KNOWN, cwd=tmp_path, config_file=tmp_path / "bad.toml")


def test_resolver_reports_a_broken_config_for_files_it_governs(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "detlint.toml", "select = ['DET999']\n")
    resolver = SettingsResolver(KNOWN, cwd=tmp_path)
    resolver.for_path(tmp_path / "ok.py")
    with pytest.raises(ConfigError, match=r"^sub/detlint\.toml:1: 'select': unknown rule code"):
        resolver.for_path(tmp_path / "sub" / "a.py")


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, {"DET001", "DET101", "DET102"}),
        ({"select": ("DET1",)}, {"DET101", "DET102"}),
        ({"select": ("DET10",)}, {"DET101", "DET102"}),
        ({"select": ("DET",)}, {"DET001", "DET101", "DET102"}),
        # Off by default: a prefix does not turn it on, its own code or ALL does.
        ({"select": ("DET2",)}, set()),
        ({"select": ("DET206",)}, {"DET206"}),
        ({"select": ("ALL",)}, {"DET001", "DET101", "DET102", "DET206"}),
        ({"extend_select": ("DET2",)}, {"DET001", "DET101", "DET102"}),
        ({"extend_select": ("DET206",)}, {"DET001", "DET101", "DET102", "DET206"}),
        ({"select": ("DET0",), "extend_select": ("DET102",)}, {"DET001", "DET102"}),
        ({"ignore": ("DET1",)}, {"DET001"}),
        ({"select": ("ALL",), "ignore": ("DET10",)}, {"DET001", "DET206"}),
        # The very same selector in select and ignore: ignore wins.
        ({"select": ("DET101",), "ignore": ("DET101",)}, set()),
        ({"select": ("DET1",), "ignore": ("DET1",)}, set()),
        ({"select": ("DET206",), "ignore": ("DET2",)}, set()),
        ({"ignore": ("ALL",)}, set()),
    ],
)
def test_selection(tmp_path: Path, config: dict, expected: set[str]) -> None:
    assert enabled(Settings(root=tmp_path, config_file=None, **config)) == expected


def test_cli_overrides(tmp_path: Path) -> None:
    base = Settings(root=tmp_path, config_file=None, select=("DET0",), ignore=("DET102",))
    # --select replaces the config's select; the config's ignore still applies.
    assert enabled(base.with_overrides(select=["DET1"])) == {"DET101"}
    # --extend-select and --ignore add to the config's.
    assert enabled(base.with_overrides(extend_select=["DET206"])) == {"DET001", "DET206"}
    assert enabled(base.with_overrides(ignore=["DET001"])) == set()
    assert base.with_overrides() == base


def test_resolver_applies_cli_overrides_to_every_config(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "detlint.toml", "select = ['DET0']\n")
    resolver = SettingsResolver(
        KNOWN, cwd=tmp_path, overrides={"extend_select": ["DET206"], "ignore": ["DET001"]}
    )
    assert enabled(resolver.for_path(tmp_path / "a.py")) == {"DET101", "DET102", "DET206"}
    assert enabled(resolver.for_path(tmp_path / "sub" / "a.py")) == {"DET206"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"select": ["DET999"]}, "--select: unknown rule code 'DET999'"),
        ({"extend_select": ["DET9"]}, "--extend-select: 'DET9' matches no rule"),
        ({"ignore": ["E501"]}, "--ignore: 'E501' is not a rule selector"),
    ],
)
def test_cli_overrides_are_validated(tmp_path: Path, overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        SettingsResolver(KNOWN, cwd=tmp_path, overrides=overrides)


# --------------------------------------------------------------------------- per-file-ignores


def test_per_file_ignores_globs(tmp_path: Path) -> None:
    config = write(
        tmp_path / "proj" / "pyproject.toml",
        """
        [tool.detlint.per-file-ignores]
        "tests/**" = ["DET1"]
        "__init__.py" = ["DET101"]
        "**/gen_*.py" = ["ALL"]
        "scripts" = ["DET102"]
        """,
    )
    settings = load_settings(config, KNOWN, cwd=tmp_path)
    proj = tmp_path / "proj"
    assert settings.per_file_ignores[0] == ("tests/**", ("DET1",))

    assert settings.is_ignored_for(proj / "tests" / "unit" / "test_a.py", "DET102")
    assert not settings.is_ignored_for(proj / "tests" / "test_a.py", "DET001")
    assert not settings.is_ignored_for(proj / "src" / "tests.py", "DET101")
    # Relative to cwd (tmp_path), not to the config's folder.
    assert settings.is_ignored_for(Path("proj/tests/test_a.py"), "DET101")
    # A basename glob matches at any depth.
    assert settings.is_ignored_for(proj / "pkg" / "sub" / "__init__.py", "DET101")
    assert not settings.is_ignored_for(proj / "pkg" / "sub" / "__init__.py", "DET102")
    # `**/` also matches no folder at all.
    assert settings.is_ignored_for(proj / "gen_x.py", "DET206")
    assert settings.is_ignored_for(proj / "a" / "gen_x.py", "DET001")
    # A folder name covers what is below it.
    assert settings.is_ignored_for(proj / "scripts" / "tool" / "run.py", "DET102")
    # Globs are relative to the config's folder: outside it, only basenames can match.
    assert not settings.is_ignored_for(tmp_path / "tests" / "test_a.py", "DET101")
    assert settings.is_ignored_for(tmp_path / "elsewhere" / "__init__.py", "DET101")


# --------------------------------------------------------------------------- exclusion


def test_default_excludes(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, config_file=None, cwd=tmp_path)
    assert settings.is_excluded(tmp_path / ".venv")
    assert settings.is_excluded(tmp_path / ".venv" / "lib" / "x.py")
    assert settings.is_excluded(Path("pkg/__pycache__/x.py"))
    assert settings.is_excluded(Path("src/foo.egg-info"))
    assert not settings.is_excluded(Path("src/venvironment.py"))
    assert not settings.is_excluded(Path("src/pkg/builder.py"))


def test_exclusion_patterns(tmp_path: Path) -> None:
    settings = Settings(
        root=tmp_path,
        config_file=None,
        cwd=tmp_path,
        exclude=("fixtures", "src/gen", "*_pb2.py", "**/migrations", str(tmp_path / "abs")),
    )
    # A pattern that names a folder excludes it and everything below it.
    assert settings.is_excluded(Path("fixtures"))
    assert settings.is_excluded(Path("fixtures/a/b.py"))
    assert settings.is_excluded(Path("pkg/fixtures/a.py"))  # matches the folder's basename
    # A path pattern is relative to root.
    assert settings.is_excluded(Path("src/gen/x.py"))
    assert not settings.is_excluded(Path("gen/x.py"))
    assert not settings.is_excluded(Path("src/generated/x.py"))
    assert not settings.is_excluded(Path("lib/src/gen/x.py"))
    # Basename globs anywhere.
    assert settings.is_excluded(Path("a/b/x_pb2.py"))
    assert not settings.is_excluded(Path("a/b/x_pb2_helpers.py"))
    assert settings.is_excluded(Path("migrations/0001.py"))
    assert settings.is_excluded(Path("app/migrations/0001.py"))
    assert settings.is_excluded(tmp_path / "abs" / "x.py")
    # Only the path itself: what a directory walk asks, having checked the folders above.
    assert not settings.is_excluded(Path("fixtures/a/b.py"), ancestors=False)
    assert settings.is_excluded(Path("fixtures"), ancestors=False)
    # `exclude` replaces the defaults.
    assert not settings.is_excluded(Path(".venv/x.py"))


def test_extend_exclude_keeps_defaults_and_is_relative_to_the_config(tmp_path: Path) -> None:
    config = write(tmp_path / "sub" / "detlint.toml", "extend-exclude = ['gen', 'a/*.py']\n")
    settings = load_settings(config, KNOWN, cwd=tmp_path)
    assert settings.extend_exclude == ("gen", "a/*.py")
    assert settings.is_excluded(Path("sub/.venv/x.py"))
    assert settings.is_excluded(Path("sub/gen/x.py"))
    assert settings.is_excluded(tmp_path / "sub" / "a" / "x.py")
    assert not settings.is_excluded(Path("sub/b/x.py"))
    # Outside the config's folder only basenames match.
    assert not settings.is_excluded(tmp_path / "a" / "x.py")


# --------------------------------------------------------------------------- loading


def test_full_config_loads(tmp_path: Path) -> None:
    config = write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "demo"

        [tool.detlint]
        select = ["DET1", "DET0"]
        extend-select = ["DET206"]
        ignore = ["DET102"]
        exclude = ["gen"]
        extend-exclude = ["fixtures"]
        per-file-ignores = { "tests/**" = ["DET101"] }
        workflow-decorators = ["acme.temporal.workflow_defn"]
        activity-decorators = ["acme.temporal.activity_defn"]
        heavy-imports = ["scipy"]
        src = ["src", "."]
        idempotency-headers = ["X-Acme-Key"]
        idempotency-required-calls = ["acme.pay.*.charge", "acme.Client().send"]

        [tool.detlint.banned-calls]
        "acme.clock.now" = "use workflow.now()"
        """,
    )
    settings = load_settings(config, KNOWN, cwd=tmp_path)
    assert settings == Settings(
        root=tmp_path,
        config_file=config,
        cwd=tmp_path,
        select=("DET1", "DET0"),
        extend_select=("DET206",),
        ignore=("DET102",),
        exclude=("gen",),
        extend_exclude=("fixtures",),
        per_file_ignores=(("tests/**", ("DET101",)),),
        banned_calls=(("acme.clock.now", "use workflow.now()"),),
        workflow_decorators=("acme.temporal.workflow_defn",),
        activity_decorators=("acme.temporal.activity_defn",),
        heavy_imports=("scipy",),
        src=("src", "."),
        idempotency_headers=("X-Acme-Key",),
        idempotency_required_calls=("acme.pay.*.charge", "acme.Client().send"),
    )


def test_pyproject_without_table_given_explicitly_means_defaults(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.ruff]\n")
    settings = load_settings(config, KNOWN, cwd=tmp_path)
    assert settings.select is None and settings.config_file == config


# --------------------------------------------------------------------------- validation


PYPROJECT_HEAD = """
[project]
name = "demo"

[tool.detlint]
"""  # [tool.detlint] is on line 4; its first key on line 5


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("selet = ['DET1']\n", 5, "unknown key 'selet' (did you mean 'select'?)"),
        (
            "select = []\nextend_select = []\n",
            6,
            "unknown key 'extend_select' (did you mean 'extend-select'?)",
        ),
        ("color = true\n", 5, "unknown key 'color'"),
        ("select = 'DET1'\n", 5, "'select' must be an array of rule codes, not a string"),
        (
            "ignore = [\n  'DET101',\n  1,\n]\n",
            5,
            "'ignore' must be an array of rule codes, but has an integer",
        ),
        ("extend-select = ['E501']\n", 5, "'extend-select': 'E501' is not a rule selector"),
        ("select = ['det101']\n", 5, "'select': 'det101' is not a rule selector"),
        ("select = ['DET1019']\n", 5, "'select': 'DET1019' is not a rule selector"),
        # In a multi-line array the error points at the offending item.
        ("select = [\n  'DET101',\n  'DET999',\n]\n", 7, "'select': unknown rule code 'DET999'"),
        ("ignore = ['DET9']\n", 5, "'ignore': 'DET9' matches no rule"),
        ("exclude = 'build'\n", 5, "'exclude' must be an array of glob patterns, not a string"),
        (
            "extend-exclude = [1]\n",
            5,
            "'extend-exclude' must be an array of glob patterns, but has an integer",
        ),
        ("per-file-ignores = ['tests']\n", 5, "'per-file-ignores' must be a table of globs"),
        (
            "select = []\nper-file-ignores = { 'tests/*' = 'DET1' }\n",
            6,
            "'per-file-ignores': 'tests/*' must be an array of rule codes",
        ),
        (
            "\n[tool.detlint.per-file-ignores]\n'a.py' = ['DET1']\n'b.py' = ['DET7']\n",
            8,
            "'per-file-ignores': 'b.py': 'DET7' matches no rule",
        ),
        ("banned-calls = ['acme.now']\n", 5, "'banned-calls' must be a table of qualified names"),
        (
            "ignore = []\n[tool.detlint.banned-calls]\n'acme.now' = 'no'\n'acme.sleep' = 3\n",
            8,
            "'banned-calls': 'acme.sleep' must map to a message string, not an integer",
        ),
        (
            "banned-calls = { 'acme now' = 'x' }\n",
            5,
            "'banned-calls': 'acme now' is not a dotted Python name",
        ),
        (
            "workflow-decorators = 'acme.wf'\n",
            5,
            "'workflow-decorators' must be an array of qualified names, not a string",
        ),
        (
            "activity-decorators = ['acme.']\n",
            5,
            "'activity-decorators': 'acme.' is not a dotted Python name",
        ),
        (
            "heavy-imports = [true]\n",
            5,
            "'heavy-imports' must be an array of qualified names, but has a boolean",
        ),
        (
            "idempotency-headers = 'Idempotency-Key'\n",
            5,
            "'idempotency-headers' must be an array of HTTP header names, not a string",
        ),
        (
            "idempotency-headers = [\n  'Idempotency-Key',\n  'Idempotency Key',\n]\n",
            7,
            "'idempotency-headers': 'Idempotency Key' is not an HTTP header name",
        ),
        (
            "idempotency-required-calls = ['stripe.*.create', 'stripe..create']\n",
            5,
            "'idempotency-required-calls': 'stripe..create' is not a dotted Python name",
        ),
        (
            "idempotency-required-calls = ['*.create']\n",
            5,
            "'idempotency-required-calls': '*.create' is not a dotted Python name",
        ),
        (
            "idempotency-required-calls = [3]\n",
            5,
            "'idempotency-required-calls' must be an array of qualified names, but has an integer",
        ),
    ],
)
def test_validation_errors_name_file_key_and_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    error = load_error(tmp_path, PYPROJECT_HEAD + body)
    assert error.startswith(f"pyproject.toml:{line}: [tool.detlint] {message}"), error


def test_detlint_toml_errors_have_no_table_prefix(tmp_path: Path) -> None:
    error = load_error(tmp_path, "# strict\nselect = ['DET1']\nignor = []\n", name="detlint.toml")
    assert error == "detlint.toml:3: unknown key 'ignor' (did you mean 'ignore'?)"


def test_key_is_found_in_its_own_table_only(tmp_path: Path) -> None:
    # `select` under [tool.other] must not be mistaken for ours.
    text = "[tool.other]\nselect = 1\n\n[tool.detlint]\nexclude = []\nselect = 'DET1'\n"
    assert load_error(tmp_path, text).startswith("pyproject.toml:6: [tool.detlint] 'select'")


def test_key_line_falls_back_to_the_table_header(tmp_path: Path) -> None:
    text = '[tool]\nname = "x"\n\n[tool.detlint]\n"select" = 5\n'
    assert load_error(tmp_path, text).startswith("pyproject.toml:5: ")
    text = "[tool]\ndetlint = { select = 5 }\n"  # no line of its own: the top of the file
    assert load_error(tmp_path, text).startswith("pyproject.toml:1: [tool.detlint] 'select'")


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[tool]\ndetlint = 1\n")
    assert error.startswith("pyproject.toml:1: [tool.detlint] must be a table, not an integer")


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    error = load_error(tmp_path, PYPROJECT_HEAD + "select = [\"DET1\"\nignore = []\n")
    assert re.match(r"pyproject\.toml:6:\d+: invalid TOML: ", error), error
    assert "(at line" not in error


def test_error_names_an_absolute_path_outside_cwd(tmp_path: Path) -> None:
    config = write(tmp_path / "conf" / "detlint.toml", "select = 1\n")
    cwd = tmp_path / "work"
    cwd.mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings(config, KNOWN, cwd=cwd)
    assert str(info.value).startswith(f"{config}:1: 'select'")


def test_config_path_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "detlint.toml").mkdir()
    with pytest.raises(ConfigError, match=r"^detlint\.toml: is a directory"):
        load_settings(tmp_path / "detlint.toml", KNOWN, cwd=tmp_path)
    # In a lookup, a folder of that name is not a config.
    assert find_config_file(tmp_path) != tmp_path / "detlint.toml"


def test_config_path_that_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^nope\.toml: cannot read: No such file"):
        load_settings(Path("nope.toml"), KNOWN, cwd=tmp_path)


def test_config_path_that_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "detlint.toml", "")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # chmod does not stop root, who may run these tests.
    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(ConfigError, match=r"^detlint\.toml: cannot read: Permission denied"):
        load_settings(config, KNOWN, cwd=tmp_path)


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    config = tmp_path / "detlint.toml"
    config.write_bytes(b"select = ['\xff']\n")
    with pytest.raises(ConfigError, match=r"^detlint\.toml: cannot read: not UTF-8"):
        load_settings(config, KNOWN, cwd=tmp_path)
