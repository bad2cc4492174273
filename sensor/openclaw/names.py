"""Product names (``sensor.schema.vocabulary.Product``), legacy names and the file/dir names derived from them."""

from __future__ import annotations

from typing import Final

from sensor.schema.vocabulary import Product

# Current name first; the order is the order OpenClaw itself probes state dirs in.
PRODUCTS: Final[tuple[Product, ...]] = tuple(Product)

# State-dir names mapped to the product they belong to (2026.2.x also accepted ~/.moldbot).
STATE_DIR_NAMES: Final[dict[str, Product]] = {
    **{f".{product}": product for product in Product},
    ".moldbot": Product.moltbot,
}

# The product names as a regular-expression alternation: openclaw|clawdbot|moltbot.
PRODUCT_PATTERN: Final[str] = "|".join(PRODUCTS)

# Config file names inside a state dir, in lookup order.
CONFIG_FILE_NAMES: Final[tuple[str, ...]] = (*(f"{product}.json" for product in PRODUCTS), "moldbot.json")

# Environment keys that move the state dir / config / home (current and legacy prefixes).
ENV_PREFIXES: Final[tuple[str, ...]] = tuple(f"{product.upper()}_" for product in PRODUCTS)
STATE_DIR_ENV_KEYS: Final[tuple[str, ...]] = tuple(p + "STATE_DIR" for p in ENV_PREFIXES)
CONFIG_PATH_ENV_KEYS: Final[tuple[str, ...]] = tuple(p + "CONFIG_PATH" for p in ENV_PREFIXES)
HOME_ENV_KEYS: Final[tuple[str, ...]] = tuple(p + "HOME" for p in ENV_PREFIXES)
PROFILE_ENV_KEYS: Final[tuple[str, ...]] = tuple(p + "PROFILE" for p in ENV_PREFIXES)
SERVICE_ENV_KEYS: Final[tuple[str, ...]] = (
    "OPENCLAW_SERVICE_MARKER",
    "OPENCLAW_SERVICE_KIND",
    "OPENCLAW_SERVICE_VERSION",
    "OPENCLAW_GATEWAY_PORT",
    "OPENCLAW_SYSTEMD_UNIT",
    "OPENCLAW_LAUNCHD_LABEL",
    "OPENCLAW_WINDOWS_TASK_NAME",
)
# The only environment keys the scanner ever keeps from a process (values of other keys are dropped).
LOCATION_ENV_KEYS: Final[frozenset[str]] = frozenset(
    STATE_DIR_ENV_KEYS + CONFIG_PATH_ENV_KEYS + HOME_ENV_KEYS + PROFILE_ENV_KEYS + SERVICE_ENV_KEYS
)


def product_for_prefix(name: str) -> str | None:
    """'clawdbot-gateway' -> 'clawdbot'; None when the name does not start with a product name."""
    lowered = name.lower()
    for product in PRODUCTS:
        if lowered == product or lowered.startswith(product + "-") or lowered.startswith(product + "."):
            return product
    return None
