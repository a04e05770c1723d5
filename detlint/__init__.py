"""detlint: keeps Temporal workflows deterministic, at commit time."""

__version__ = "0.1.0"

# Every link detlint prints (the JSON `url`, SARIF's informationUri and helpUri, the language
# server's rule links) is built from these: change the base here to point them elsewhere.
HOMEPAGE = "https://detlint.dev/"
DOCS_URL = HOMEPAGE + "rules/{code}/"  # one page per rule, rendered from docs/rules/{code}.md


def rule_url(code: str) -> str:
    return DOCS_URL.format(code=code)
