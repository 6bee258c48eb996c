"""WSGI entry point for gunicorn: ``gunicorn setara_web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "setara_web.settings")
application = get_wsgi_application()
