"""Settings for the test suite: a temporary data folder, plain HTTP, tasks run in-process.

``DATABASE_URL`` still chooses the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SETARA_DATA_DIR", tempfile.mkdtemp(prefix="setara-test-"))
os.environ["SETARA_HTTPS"] = "0"
os.environ["SETARA_MANIFEST_STATIC"] = "0"
os.environ.setdefault("SETARA_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("SETARA_LANGUAGE", "en")

from setara_web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
