"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from flask_htmx import HTMX
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()
