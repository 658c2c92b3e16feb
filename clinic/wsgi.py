import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from clinic.env import require_secret_key_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_wsgi_application()
require_secret_key_to_serve()

# What a worker loads at start lives as long as the worker: the URLs (and through them every
# view, form and step) are imported now, then everything loaded is set aside from the garbage
# collector (gc.freeze), which otherwise walks it all again on each full collection: 0.05-0.09 ms
# of every step POST's time in a worker (issue 13, benchmarks/README.md).
get_resolver().url_patterns  # noqa: B018 - imported for its side effect
gc.freeze()
