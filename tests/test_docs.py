"""The documentation: the rule reference, the configuration reference and the site.

* rules.md's codes, the implemented rules, `detlint rules`, docs/rules/ and the site's navigation
  are one set;
* every rule page explains what Temporal does (sandbox, replay, the error the user would see),
  and every Python block on it is one that tests/test_rule_examples.py runs;
* docs/configuration.md's reference is generated from the schema the parser uses;
* the site builds with `mkdocs build --strict`, offline, and serves each rule at the URL
  detlint prints.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import detlint
from detlint.config import CONFIG_KEYS, Settings, load_settings
from detlint.output import config_docs, rule_docs
from detlint.rules.base import all_rules
from tests.conftest import REPO
from tests.test_catalog import contract_codes

PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
MKDOCS_YML = REPO / "mkdocs.yml"


def _nav_pages(nav: list) -> list[str]:
    """Every page of mkdocs.yml's nav, in order."""
    found: list[str] = []
    for entry in nav:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            found += _nav_pages(value) if isinstance(value, list) else [value]
    return found


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detlint", *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, env={**os.environ, **env},
    )  # fmt: skip


# --------------------------------------------------------------------------- one set of rules


def test_contract_rules_cli_pages_and_site_nav_are_the_same_set():
    contract = set(contract_codes())
    implemented = set(all_rules())
    listed = _cli("rules")
    assert listed.returncode == 0, listed.stderr
    cli = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    pages = {p.stem for p in (REPO / "docs" / "rules").glob("DET*.md")}
    nav = [
        page for page in _nav_pages(yaml.safe_load(MKDOCS_YML.read_text())["nav"])
        if re.fullmatch(r"rules/DET\d{3}\.md", page)
    ]  # fmt: skip
    in_nav = {Path(page).stem for page in nav}
    assert len(contract) >= 49  # rules.md was read, not an empty table
    assert implemented == contract, "rules.md and detlint/rules/ differ"
    assert cli == contract, "`detlint rules` and rules.md differ"
    assert pages == contract, "docs/rules/ and rules.md differ"
    assert in_nav == contract and len(nav) == len(in_nav), "mkdocs.yml's nav and rules.md differ"


def test_rule_index_groups_every_rule_under_its_family():
    index = rule_docs.render_index()
    headings = re.findall(r"^## (DET\d): ", index, re.MULTILINE)
    assert headings == [prefix for prefix, _, _ in rule_docs.FAMILIES]
    sections = re.split(r"^## ", index, flags=re.MULTILINE)[1:]
    for section in sections:
        prefix = section.split(":", 1)[0]
        codes = re.findall(r"^\| \[(DET\d{3})\]", section, re.MULTILINE)
        assert codes and all(code.startswith(prefix) for code in codes)
    assert sorted(re.findall(r"^\| \[(DET\d{3})\]", index, re.MULTILINE)) == sorted(all_rules())


def test_site_navigation_is_up_to_date():
    text = MKDOCS_YML.read_text(encoding="utf-8")
    assert rule_docs.update_nav(text) == text, "run `python -m detlint.output.rule_docs docs/rules`"


# --------------------------------------------------------------------------- rule pages


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_rule_page_says_what_temporal_does(code):
    doc = all_rules()[code].documentation()
    start = doc.find(rule_docs.TEMPORAL_SECTION)
    assert start >= 0, f"{code}: no {rule_docs.TEMPORAL_SECTION!r} section"
    assert doc.index("## Why is this bad?") < start < doc.index("## Example")
    section = doc[start : doc.index("## Example")]
    positions = [section.find(f"- {label} ") for label in rule_docs.TEMPORAL_LABELS]
    assert all(p > 0 for p in positions) and positions == sorted(positions), (
        f"{code}: the section lists {rule_docs.TEMPORAL_LABELS} in this order"
    )


def test_rule_pages_name_the_sdk_errors_where_they_apply():
    """The SDK's own rule ids appear on the pages of the rules that prevent them."""
    pages = rule_docs.pages()
    for tmprl, codes in {
        "TMPRL1100": ("DET101", "DET102", "DET109", "DET116", "DET501", "DET503", "DET505", "DET506"),
        "TMPRL1101": ("DET103", "DET104", "DET105", "DET107"),
        "TMPRL1102": ("DET408",),
    }.items():
        for code in codes:
            assert tmprl in pages[f"{code}.md"], f"{code}'s page does not mention {tmprl}"


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_every_python_block_on_a_rule_page_is_tested(code):
    """tests/test_rule_examples.py runs the Example's block (the DET5 rules: the deployed
    version and the change) and the Use instead block; no other Python block may appear."""
    doc = all_rules()[code].documentation()
    sections = {s.split("\n", 1)[0]: s for s in re.split(r"\n(?=## )", doc)}
    counts = {heading: len(PYTHON_BLOCK.findall(text)) for heading, text in sections.items()}
    expected_example = 2 if code.startswith("DET5") else 1
    assert counts.pop("## Example") == expected_example
    assert counts.pop("## Use instead") == 1
    assert not any(counts.values()), f"{code}: untested Python blocks in {counts}"


def test_detlint_rule_prints_the_page():
    shown = _cli("rule", "DET408")
    assert shown.returncode == 0
    assert shown.stdout == (REPO / "docs" / "rules" / "DET408.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- configuration


def test_configuration_reference_is_up_to_date():
    page = REPO / "docs" / "configuration.md"
    text = page.read_text(encoding="utf-8")
    assert config_docs.update(text) == text, (
        "run `python -m detlint.output.config_docs docs/configuration.md`"
    )


def test_configuration_reference_documents_every_key_with_type_and_default():
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for key in CONFIG_KEYS:
        section = text.split(f"### `{key.name}`\n", 1)[1].split("\n### ", 1)[0]
        assert key.description in section
        assert f"**Type:** {key.type}" in section
        assert f"**Default:** {config_docs.default_text(key)}" in section


def test_schema_is_what_the_parser_reads(tmp_path: Path):
    """A file that sets every key of the schema to its default loads, and gives the defaults:
    the parser knows every documented key, and the documented defaults are the real ones."""
    fields = Settings.__dataclass_fields__
    assert all(key.field in fields for key in CONFIG_KEYS)
    lines = []
    for key in CONFIG_KEYS:
        value = key.default
        if isinstance(value, tuple) and key.type.startswith("table"):
            lines.append(f"{key.name} = {{ {', '.join(f'{json.dumps(k)} = {json.dumps(v)}' for k, v in value)} }}")
        elif isinstance(value, (tuple, str)):
            lines.append(f"{key.name} = {json.dumps(list(value) if isinstance(value, tuple) else value)}")
    (tmp_path / "detlint.toml").write_text("\n".join(lines) + "\n")
    loaded = load_settings(tmp_path / "detlint.toml", all_rules(), cwd=tmp_path)
    default = load_settings(None, all_rules(), cwd=tmp_path)
    for key in CONFIG_KEYS:
        assert getattr(loaded, key.field) == getattr(default, key.field), key.name


# --------------------------------------------------------------------------- links and the site


def test_links_point_at_the_site_and_the_base_is_configurable(tmp_path: Path):
    assert detlint.rule_url("DET101") == "https://detlint.dev/rules/DET101/"
    (tmp_path / "wf.py").write_text("import time\n")
    base = "https://docs.acme.internal/detlint"  # no trailing slash: one is added
    result = subprocess.run(
        [sys.executable, "-m", "detlint", "check", "wf.py", "--format", "sarif"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, detlint.DOCS_URL_ENV: base},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == base + "/"
    assert {rule["helpUri"] for rule in driver["rules"]} == {
        f"{base}/rules/{code}/" for code in all_rules()
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as CI builds it: strict (any warning fails), with every proxy pointed
    at a closed port so that nothing can be fetched from the network."""
    target = tmp_path_factory.mktemp("site")
    closed = "http://127.0.0.1:9"
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed,
        "NO_PROXY": "", "no_proxy": "",
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(MKDOCS_YML), "-d", str(target)],
        cwd=REPO, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return target


def test_site_serves_every_rule_at_the_url_detlint_prints(site: Path):
    for code in all_rules():
        path = detlint.rule_url(code).removeprefix(detlint.HOMEPAGE)
        page = site / path / "index.html"
        assert page.is_file(), f"{detlint.rule_url(code)} is not a page of the site"
        assert code in page.read_text(encoding="utf-8")
    assert (site / "rules" / "index.html").is_file()  # docs/rules/README.md, the index


def test_site_has_search_and_every_guide(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "rules/DET101/" in locations
    for page in _nav_pages(yaml.safe_load(MKDOCS_YML.read_text())["nav"]):
        assert (REPO / "docs" / page).is_file(), page
        built = page.removesuffix(".md")
        built = built.removesuffix("README").removesuffix("index")
        assert (site / built / "index.html").is_file(), page
    for guide in ("getting-started", "configuration", "suppression", "output-formats", "versioning",
                  "sandbox-and-replayer", "patterns", "performance", "integrations/pre-commit",
                  "integrations/flake8", "integrations/github-code-scanning", "integrations/editors"):  # fmt: skip
        assert (site / guide / "index.html").is_file(), guide


def test_site_needs_no_network_to_read(site: Path):
    """No Google Fonts or other remote assets: the theme's font is off."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page
