"""Names of the Python standard library that several rules share."""

# The values an event loop is reached through: `asyncio.get_event_loop().run_in_executor(...)`.
ASYNCIO_LOOPS = ("asyncio.get_event_loop()", "asyncio.get_running_loop()", "asyncio.new_event_loop()")
