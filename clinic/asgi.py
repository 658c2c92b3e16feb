import os

from django.core.asgi import get_asgi_application

from clinic.env import require_secret_key_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_asgi_application()
require_secret_key_to_serve()
