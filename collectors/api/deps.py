"""FastAPI dependencies every router shares: the app's store, read from the app that ``create_app`` built."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from collectors.store import Store


async def get_store(request: Request) -> Store:
    """The app's store (async: a plain attribute read, so FastAPI runs it on the loop, not in a worker thread)."""
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]
