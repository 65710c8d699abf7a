"""The web site and JSON API (FastAPI + Jinja2). `app.py` holds the whole URL map."""
