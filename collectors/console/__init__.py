"""The web console: server-rendered pages (Jinja2) over the fleet and alert queries."""
