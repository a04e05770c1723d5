from detlint.model import Severity
from detlint.rules.base import Pattern, ReferenceRule

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
# Calls that open a connection or a client; constructing config objects (`httpx.Timeout`) does not.
_CLIENT_CALLS = (
    *(f"requests.{verb}" for verb in (*_HTTP_VERBS, "Session", "session")),
    *(f"httpx.{verb}" for verb in (*_HTTP_VERBS, "stream", "Client", "AsyncClient")),
    "aiohttp.ClientSession", "aiohttp.request",
    "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.build_opener",
    "http.client.HTTPConnection", "http.client.HTTPSConnection",
    "socket.socket", "socket.create_connection", "socket.create_server", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.socketpair",
    "socket.fromfd",
    "ssl.create_default_context", "ssl.wrap_socket", "ssl.SSLContext",
    "grpc.insecure_channel", "grpc.secure_channel", "grpc.aio.insecure_channel", "grpc.aio.secure_channel",
    "boto3.client", "boto3.resource", "boto3.Session", "boto3.session.Session",
    "smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP",
    "ftplib.FTP", "ftplib.FTP_TLS", "imaplib.IMAP4", "imaplib.IMAP4_SSL", "poplib.POP3", "poplib.POP3_SSL",
    "xmlrpc.client.ServerProxy",
    "sqlite3.connect",
    "psycopg.connect", "psycopg.AsyncConnection.connect", "psycopg.Connection.connect",
    "psycopg_pool.ConnectionPool", "psycopg_pool.AsyncConnectionPool",
    "psycopg2.connect", "psycopg2.pool.SimpleConnectionPool", "psycopg2.pool.ThreadedConnectionPool",
    "asyncpg.connect", "asyncpg.create_pool",
    "pymongo.MongoClient", "motor.motor_asyncio.AsyncIOMotorClient",
    "redis.Redis", "redis.StrictRedis", "redis.from_url", "redis.asyncio.Redis", "redis.asyncio.from_url",
    "sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlalchemy.orm.Session", "sqlalchemy.orm.sessionmaker", "sqlalchemy.ext.asyncio.AsyncSession",
    "pymysql.connect", "mysql.connector.connect",
)  # fmt: skip


class NetworkAccess(ReferenceRule):
    """
    ## What it does
    Flags network and external-service clients in workflow code: `socket`, `ssl`,
    `urllib.request`, `http.client`, `requests`, `httpx`, `aiohttp`, `grpc` channels, `boto3`,
    `smtplib` and other mail and file-transfer clients, and database drivers (`sqlite3`,
    `psycopg`, `psycopg2`, `asyncpg`, `pymongo`, `redis`, `sqlalchemy` engines and sessions).

    ## Why is this bad?
    A response is not recorded in history, so a replay asks again and may get another answer;
    a write is sent again on every replay. Network calls also block the workflow's event loop.
    The sandbox rejects the standard library's network modules at run time, but code inside a
    passed-through third-party client (requests, httpx, boto3) runs unrestricted.

    ## What Temporal does
    - **Sandbox:** `socket`, `http.client`, `urllib.request`, `smtplib` and the other standard
      library network modules raise `RestrictedWorkflowAccessError`; the workflow task fails and
      is retried until a fixed worker is deployed. Code inside a third-party client that you
      pass through the sandbox uses the real modules and is not checked.
    - **On replay:** A response is not in history: the replay asks again, and writes are sent
      again. A different answer issues other commands.
    - **What you would see:** `RestrictedWorkflowAccessError`; otherwise `[TMPRL1101]`
      (potential deadlock) on a slow response and a `[TMPRL1100]` non-determinism error when the
      answer changes.

    ## Example
    ```python
    from temporalio import workflow

    with workflow.unsafe.imports_passed_through():
        import httpx


    @workflow.defn
    class Quote:
        @workflow.run
        async def run(self) -> str:
            return httpx.get("https://example.com/quote").text
    ```

    ## Use instead
    Call the service from an activity:
    ```python
    from datetime import timedelta

    from temporalio import activity, workflow


    @activity.defn
    async def fetch_quote() -> str:
        ...


    @workflow.defn
    class Quote:
        @workflow.run
        async def run(self) -> str:
            return await workflow.execute_activity(
                fetch_quote, start_to_close_timeout=timedelta(seconds=30)
            )
    ```

    ## Fix safety
    No fix is offered.
    """

    code = "DET107"
    name = "network-access"
    severity = Severity.ERROR
    summary = "Network or external-service access in workflow code"
    what = "{name} talks to a network service or database, which a replay does not reproduce"
    advice = "call the service from an activity"
    patterns = tuple(Pattern.call(name) for name in _CLIENT_CALLS)
