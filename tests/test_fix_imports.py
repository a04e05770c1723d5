"""Rewriting one import line: every byte not cut stays as written."""

import pytest

from detlint.fixes.imports import with_name, without_names


@pytest.mark.parametrize(
    ("line", "names", "expected"),
    [
        ("import uuid\n", ("uuid",), ""),
        ("import os, uuid  # ids\n", ("uuid",), "import os  # ids\n"),
        ("import uuid, os\n", ("uuid",), "import os\n"),
        ("import uuid as u, os\n", ("u",), "import os\n"),
        ("import os.path, uuid\n", ("os",), "import uuid\n"),
        ("from datetime import (\n    datetime,\n    timedelta,\n)\n", ("timedelta",), "from datetime import (\n    datetime,\n)\n"),
        ("from datetime import (datetime, timedelta,)\n", ("datetime",), "from datetime import (timedelta,)\n"),
        ("import os; import uuid  # c\n", ("uuid",), "import os  # c\n"),
        ("import uuid; import os\n", ("uuid",), "import os\n"),
        ("import time, random, uuid\n", ("time", "uuid"), "import random\n"),
        ("from x import (a,  # one\n    uuid,  # two\n)\n", ("uuid",), "from x import (a,  # two\n)\n"),
        ("from x import *\n", ("uuid",), "from x import *\n"),
        ("import os  # é\n", ("uuid",), "import os  # é\n"),
    ],
)
def test_without_names(line, names, expected):
    assert without_names(line, names) == expected


@pytest.mark.parametrize(
    ("line", "name", "expected"),
    [
        ("from temporalio import activity\n", "workflow", "from temporalio import activity, workflow\n"),
        ("from temporalio import common, exceptions\n", "workflow", "from temporalio import common, exceptions, workflow\n"),
        ("from temporalio import exceptions\n", "activity", "from temporalio import activity, exceptions\n"),
        ("from temporalio import (\n    activity,\n    common,\n)\n", "workflow", "from temporalio import (\n    activity,\n    common,\n    workflow,\n)\n"),
        ("from temporalio import exceptions, activity\n", "workflow", "from temporalio import exceptions, activity, workflow\n"),
        ("from temporalio import workflow\n", "workflow", None),
        ("from temporalio import *\n", "workflow", None),
        ("import temporalio\n", "workflow", None),
        ("from temporalio import activity; import os\n", "workflow", None),
    ],
)
def test_with_name(line, name, expected):
    assert with_name(line, name) == expected
