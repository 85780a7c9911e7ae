"""The WSGI entry point gunicorn serves."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrta.web.settings")
application = get_wsgi_application()
# Import every view now rather than on the first request: the staff pages pull in the
# analysis and report code (SciPy, Polars; seconds to import). gunicorn loads this
# module once before it forks its workers (--preload), so they start ready and share it.
_ = get_resolver().url_patterns
