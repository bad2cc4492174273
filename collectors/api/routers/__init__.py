"""One router per concern; `collectors.api.app.create_app` mounts them."""
