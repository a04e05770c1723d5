from __future__ import annotations

import re

from detlint.lazy import cst
from detlint.rules._idempotency import (
    UNKEYED,
    WRITE_VERBS,
    ActivityFlowRule,
    HttpCall,
    argument,
    combine,
    short,
)

# POST endpoints that read by convention: OAuth token endpoints, Elasticsearch/OpenSearch queries.
_READ_ENDPOINTS = re.compile(r"/(?:oauth2?/)?token/?(?:[?#]|$)|/_(?:search|msearch|count|mget)(?:[/?#]|$)")
_URLOPEN = frozenset({"urllib.request.urlopen"})
_OPENERS = ("urllib.request.build_opener()", "urllib.request.OpenerDirector()")
_REQUEST = "urllib.request.Request"


class HttpWriteWithoutIdempotencyKey(ActivityFlowRule):
    """
    ## What it does
    Flags `POST` and `PATCH` requests sent from activity code without an idempotency key
    header (`Idempotency-Key`, configurable with `idempotency-headers`): through `requests`
    (module functions and `Session`), `httpx` (module functions, `Client`, `AsyncClient`),
    `aiohttp.ClientSession`, `http.client` connections, and `urllib.request.urlopen` with a
    `Request` that posts data.

    Headers are read from a dict literal, from a variable assigned one in the same function
    (including later `headers["Idempotency-Key"] = ...` and `.update(...)`), from
    `{**base, "Idempotency-Key": key}`, and from the headers of a client created in the same
    function; names compare case-insensitively. Headers detlint cannot see (a parameter passed
    through, `**kwargs`) are trusted and not flagged. POSTs that read by convention (OAuth
    `/token`, Elasticsearch `_search`, a GraphQL `query`) are not flagged either.

    ## Why is this bad?
    Temporal retries an activity until it succeeds. When an attempt times out or the worker
    dies after the server processed the request but before the activity completed, the next
    attempt sends it again: the card is charged twice, the order is created twice. An
    idempotency key that is the same for every attempt lets the server recognise the repeat
    and answer with the first result.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts.
    - **What you would see:** A second charge or order: no error at all.

    ## Example
    ```python
    import httpx
    from temporalio import activity


    @activity.defn
    async def charge(order: str, cents: int) -> None:
        async with httpx.AsyncClient() as client:
            await client.post("https://pay.example.com/charges", json={"order": order, "cents": cents})
    ```

    ## Use instead
    ```python
    import httpx
    from temporalio import activity


    @activity.defn
    async def charge(order: str, cents: int) -> None:
        info = activity.info()
        key = f"{info.workflow_id}/{info.activity_id}"
        async with httpx.AsyncClient() as client:
            await client.post(
                "https://pay.example.com/charges",
                json={"order": order, "cents": cents},
                headers={"Idempotency-Key": key},
            )
    ```
    The workflow id and the activity id are the same for every attempt of this activity
    execution, and different for the next execution. A key from the activity's input (an
    order id) works too, when the input identifies the operation.

    ## Fix safety
    No fix is offered: the key must come from something that identifies the operation, and
    the server must support it.
    """

    code = "DET301"
    name = "http-write-without-idempotency-key"
    summary = "POST or PATCH request from an activity without an idempotency key header"

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self.active(ctx):
            return
        self.track_header_changes(node, ctx)
        http = self.http_call(node, ctx)
        if http is not None:
            self._check_request(http, ctx)
        else:
            self._check_urlopen(node, ctx)

    def _check_request(self, http: HttpCall, ctx) -> None:
        if http.verb not in WRITE_VERBS or http.starred or self._reads(http.url, ctx) or self._graphql_query(http, ctx):
            return
        state = combine([self.headers_state(http.headers, ctx), self.client_headers_state(http.receiver, ctx)])
        if state == UNKEYED:
            self._report(http.node, http.verb, ctx)

    def _check_urlopen(self, node: cst.Call, ctx) -> None:
        name = self.resolve(node.func, ctx) or ""
        if name not in _URLOPEN and not (name.endswith(".open") and name.startswith(_OPENERS)):
            return
        if any(arg.star for arg in node.args):
            return
        target = argument(node, 0, "url", "fullurl")
        data = argument(node, 1, "data")
        request = target
        if isinstance(target, cst.Name):
            request = self.value_of(target)
        if isinstance(request, cst.Call) and self.resolve(request.func, ctx) == _REQUEST:
            if any(arg.star for arg in request.args) or self._reads(argument(request, 0, "url"), ctx):
                return
            method = argument(request, 5, "method")
            verb = self.text(method, ctx) if method is not None else None
            if method is not None and verb is None:
                return
            posts = _given(argument(request, 1, "data")) or _given(data)
            verb = (verb or ("POST" if posts else "GET")).upper()
            states = [self.headers_state(argument(request, 2, "headers"), ctx)]
            if isinstance(target, cst.Name) and self.local(target) is not None:
                states.append(self.header_marks.get(target.value, UNKEYED))
            if verb in WRITE_VERBS and combine(states) == UNKEYED:
                self._report(node, verb, ctx)
        elif target is not None and _given(data):
            url = self.text(target, ctx)
            if url is not None and not self._reads(target, ctx):
                self._report(node, "POST", ctx)  # a plain URL with data: no way to add a header

    def _graphql_query(self, http: HttpCall, ctx) -> bool:
        """`json={"query": "query { ... }"}`: a GraphQL read sent as a POST (a mutation is not)."""
        body = self.dict_of(argument(http.node, None, "json"))
        for element in body.elements if body is not None else ():
            if isinstance(element, cst.DictElement) and self.text(element.key, ctx) == "query":
                text = (self.text(element.value, ctx) or "").lstrip()
                return text.startswith(("query", "{"))
        return False

    def _reads(self, url: cst.BaseExpression | None, ctx) -> bool:
        text = self.text(url, ctx)
        return text is not None and _READ_ENDPOINTS.search(text) is not None

    def _report(self, node: cst.Call, verb: str, ctx) -> None:
        leaf = f"{short(node.func)}()"
        ctx.report(
            self,
            node,
            f"`{leaf}` sends a {verb} without an {self.header_display} header, so a retried attempt repeats it",
            f"send an {self.header_display} header derived from `activity.info()` (workflow id + activity id) "
            "or from the activity's input",
            leaf,
        )


def _given(node: cst.BaseExpression | None) -> bool:
    return node is not None and not (isinstance(node, cst.Name) and node.value == "None")
