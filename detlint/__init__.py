"""detlint: keeps Temporal workflows deterministic, at commit time."""

import os

__version__ = "0.1.0"

# Every link detlint prints (the JSON `url`, SARIF's informationUri and helpUri, the language
# server's rule links) is built from the documentation site's base URL: HOMEPAGE, or the
# DETLINT_DOCS_URL environment variable (a mirror of the site, an internal copy). The site
# (mkdocs.yml) serves docs/rules/{code}.md at rules/{code}/.
HOMEPAGE = "https://detlint.dev/"
DOCS_URL_ENV = "DETLINT_DOCS_URL"
DOCS_URL = HOMEPAGE + "rules/{code}/"  # the default rule link; rule_url() honours the variable


def docs_url() -> str:
    """The base URL of the documentation site, ending with `/`."""
    base = os.environ.get(DOCS_URL_ENV, "").strip() or HOMEPAGE
    return base if base.endswith("/") else base + "/"


def rule_url(code: str) -> str:
    return f"{docs_url()}rules/{code}/"
