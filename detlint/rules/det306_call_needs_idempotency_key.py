from __future__ import annotations

import re

from detlint.lazy import cst
from detlint.rules._idempotency import UNKEYED, ActivityFlowRule, keyword, positional, short

_KEY_ARGUMENT = "idempotency_key"
_OPTIONS = ("options", "request_options", "opts")


class CallNeedsIdempotencyKey(ActivityFlowRule):
    """
    ## What it does
    Flags calls made from activity code without an idempotency key when the configuration
    says they need one (`idempotency-required-calls`). The defaults cover payment and
    messaging SDKs whose calls take a key: Stripe's `create`, `capture`, `confirm` and `pay`
    methods (`stripe.PaymentIntent.create`, `stripe.Charge.create`, `stripe.Refund.create`,
    `StripeClient(...).payment_intents.create`, ...) and Resend's `Emails.send` and
    `Batch.send`.

    A call has a key when it passes `idempotency_key=`, an options dict with
    `"idempotency_key"` (`options={"idempotency_key": key}`), or an idempotency header.
    Arguments detlint cannot read (`**kwargs`, an options object from elsewhere) are trusted.

    ```toml
    [tool.detlint]
    idempotency-required-calls = ["stripe.*.create", "acme.payments.Client().transfer"]
    ```

    A `*` segment stands for any one name; a segment ending in `()` for an instance of that
    class. The list replaces the defaults.

    ## Why is this bad?
    Temporal retries an activity until it succeeds. When an attempt's call reached the
    provider but the activity failed afterwards (a timeout, a crash), the next attempt makes
    the call again: the customer is charged twice, the email is sent twice. These APIs
    deduplicate requests that carry the same idempotency key.

    ## What Temporal does
    - **Sandbox:** Does not apply: activities run outside the workflow sandbox, and nothing
      restricts their I/O.
    - **On replay:** Activities are never replayed: an attempt's result is recorded in history
      once. What repeats is a retry: after a failure, a timeout or a lost worker the server
      starts a new attempt, by default with no limit on attempts.
    - **What you would see:** A second charge or message: no error at all.

    ## Example
    ```python
    import stripe
    from temporalio import activity


    @activity.defn
    def charge(customer: str, cents: int) -> str:
        intent = stripe.PaymentIntent.create(amount=cents, currency="usd", customer=customer)
        return intent.id
    ```

    ## Use instead
    ```python
    import stripe
    from temporalio import activity


    @activity.defn
    def charge(customer: str, cents: int) -> str:
        info = activity.info()
        intent = stripe.PaymentIntent.create(
            amount=cents,
            currency="usd",
            customer=customer,
            idempotency_key=f"{info.workflow_id}/{info.activity_id}",
        )
        return intent.id
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET306"
    name = "call-without-idempotency-key"
    summary = "A call the configuration marks as needing an idempotency key made without one"

    def __init__(self, settings) -> None:
        super().__init__(settings)
        patterns = settings.idempotency_required_calls
        self.required = re.compile("|".join(_regex(p) for p in patterns)) if patterns else None

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if not self.active(ctx):
            return
        self.track_header_changes(node, ctx)
        if self.required is None:
            return
        name = self.resolve(node.func, ctx)
        if name is None or not self.required.fullmatch(name) or self._has_key(node, ctx):
            return
        leaf = f"{short(node.func)}()"
        ctx.report(
            self,
            node,
            f"`{leaf}` is called without an idempotency key, so a retried attempt repeats it",
            "pass an idempotency key (`idempotency_key=`, or `idempotency_key` in the options) derived from "
            "`activity.info()` (workflow id + activity id) or from the activity's input",
            leaf,
        )

    def _has_key(self, node: cst.Call, ctx) -> bool:
        """True also when an argument that could carry the key cannot be read."""
        if any(arg.star for arg in node.args):
            return True
        key = keyword(node, _KEY_ARGUMENT)
        if key is not None:
            return not (isinstance(key, cst.Name) and key.value == "None")
        options = [keyword(node, name) for name in _OPTIONS] + positional(node)[1:]
        for option in options:
            if option is None:
                continue
            record = self.dict_of(option)
            if record is None:
                return True
            for element in record.elements:
                if isinstance(element, cst.StarredDictElement):
                    return True
                text = self.text(element.key, ctx)
                if text is None or text == _KEY_ARGUMENT:
                    return True
        headers = keyword(node, "headers")
        return headers is not None and self.headers_state(headers, ctx) != UNKEYED


def _regex(pattern: str) -> str:
    return r"\.".join(r"[^.]+" if segment == "*" else re.escape(segment) for segment in pattern.split("."))
