"""Credential kind taxonomy: classify a secret by where it sits (key path) and by its shape (prefix).

Only the kind is ever reported; the value is fingerprinted and dropped.
"""

from __future__ import annotations

import re
from typing import Final

KINDS: Final[tuple[str, ...]] = (
    "anthropic_api_key",
    "openai_api_key",
    "gemini_api_key",
    "openrouter_api_key",
    "model_api_key",
    "model_oauth_token",
    "slack_bot_token",
    "slack_app_token",
    "slack_user_token",
    "slack_signing_secret",
    "telegram_bot_token",
    "telegram_webhook_secret",
    "discord_bot_token",
    "msteams_app_password",
    "matrix_access_token",
    "mattermost_bot_token",
    "gateway_token",
    "gateway_password",
    "gateway_remote_token",
    "hooks_token",
    "gmail_push_token",
    "google_oauth_client_secret",
    "google_oauth_refresh_token",
    "google_service_account_key",
    "whatsapp_session",
    "gogcli_keyring_item",
    "gog_keyring_password",
    "claude_code_oauth",
    "codex_auth",
    "qwen_oauth",
    "minimax_oauth",
    "github_token",
    "exec_approvals_token",
    "generic_secret",
)

# (regex on the value, kind): the value shape decides when the key path says nothing specific
_PREFIXES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"^sk-ant-o(at|rt)"), "claude_code_oauth"),
    (re.compile(r"^sk-ant-"), "anthropic_api_key"),
    (re.compile(r"^sk-or-"), "openrouter_api_key"),
    (re.compile(r"^sk-[A-Za-z0-9_\-]{16,}"), "openai_api_key"),
    (re.compile(r"^xoxb-"), "slack_bot_token"),
    (re.compile(r"^xapp-"), "slack_app_token"),
    (re.compile(r"^xox[pe]-"), "slack_user_token"),
    (re.compile(r"^(gh[pousr]_|github_pat_)"), "github_token"),
    (re.compile(r"^AIza[0-9A-Za-z_\-]{30,}"), "gemini_api_key"),
    (re.compile(r"^1//[0-9A-Za-z_\-]{20,}"), "google_oauth_refresh_token"),
    (re.compile(r"^GOCSPX-"), "google_oauth_client_secret"),
    (re.compile(r"^\d{6,12}:[A-Za-z0-9_\-]{30,}$"), "telegram_bot_token"),
)

# (regex on the dotted key path, lower-cased, kind): first match wins
_KEY_PATHS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"(^|\.)gateway\.auth\.token$", "gateway_token"),
        (r"(^|\.)gateway\.token$", "gateway_token"),
        (r"(^|\.)gateway\.auth\.password$", "gateway_password"),
        (r"(^|\.)gateway\.remote\.(token|password)$", "gateway_remote_token"),
        (r"(^|\.)hooks\.token$", "hooks_token"),
        (r"(^|\.)hooks\.gmail\.pushtoken$", "gmail_push_token"),
        (r"channels\.slack\..*bottoken$", "slack_bot_token"),
        (r"channels\.slack\..*apptoken$", "slack_app_token"),
        (r"channels\.slack\..*usertoken$", "slack_user_token"),
        (r"channels\.slack\..*signingsecret$", "slack_signing_secret"),
        (r"channels\.telegram\..*webhooksecret$", "telegram_webhook_secret"),
        (r"channels\.telegram\..*(bottoken|token)$", "telegram_bot_token"),
        (r"channels\.discord\..*token$", "discord_bot_token"),
        (r"channels\.msteams\..*(apppassword|secret)$", "msteams_app_password"),
        (r"channels\.matrix\..*(accesstoken|password)$", "matrix_access_token"),
        (r"channels\.mattermost\..*(bottoken|token)$", "mattermost_bot_token"),
        (r"(^|\.)(anthropic_api_key|anthropic[_-]?apikey)$", "anthropic_api_key"),
        (r"(^|\.)(openai_api_key)$", "openai_api_key"),
        (r"(^|\.)(gemini_api_key|google_api_key)$", "gemini_api_key"),
        (r"(^|\.)openrouter_api_key$", "openrouter_api_key"),
        (r"(^|\.)slack_bot_token$", "slack_bot_token"),
        (r"(^|\.)slack_app_token$", "slack_app_token"),
        (r"(^|\.)slack_user_token$", "slack_user_token"),
        (r"(^|\.)slack_signing_secret$", "slack_signing_secret"),
        (r"(^|\.)telegram_bot_token$", "telegram_bot_token"),
        (r"(^|\.)discord_bot_token$", "discord_bot_token"),
        (r"(^|\.)msteams_app_password$", "msteams_app_password"),
        (r"(^|\.)(openclaw|clawdbot|moltbot)_gateway_token$", "gateway_token"),
        (r"(^|\.)(openclaw|clawdbot|moltbot)_gateway_password$", "gateway_password"),
        (r"(^|\.)gog_keyring_password$", "gog_keyring_password"),
        (r"(^|\.)(refresh_token|refreshtoken)$", "google_oauth_refresh_token"),
        (r"(^|\.)client_secret$", "google_oauth_client_secret"),
        (r"(^|\.)private_key$", "google_service_account_key"),
        (r"(^|\.)(access|refresh|accesstoken|access_token)$", "model_oauth_token"),
        (r"(^|\.)(apikey|api_key|key)$", "model_api_key"),
        (r"(^|\.)token$", "generic_secret"),
        (r"(token|secret|password|passwd|apikey|api_key|credential)s?$", "generic_secret"),
    )
)

# keys whose string values are never secrets even though the name looks like it
_NOT_SECRET_LEAVES: Final[frozenset[str]] = frozenset(
    {
        "tokenfile",
        "keyfile",
        "passwordfile",
        "tokenenv",
        "type",
        "mode",
        "provider",
        "source",
        "id",
        "kind",
        "expires",
        "expiresat",
        "expires_at",
        "token_type",
        "tokentype",
        "keyid",
        "key_id",
        "email",
        "account",
        "scope",
        "scopes",
        "client_id",
        "clientid",
        "project_id",
        "token_uri",
        "auth_uri",
        "keyref",
        "tokenref",
    }
)

_MODEL_PROVIDER_KEY = re.compile(r"(^|\.)(profiles|providers)\.([^.]+)\.(key|apikey|api_key)$")


def classify_value(value: str) -> str | None:
    for pattern, kind in _PREFIXES:
        if pattern.match(value):
            return kind
    return None


def _provider_kind(provider: str) -> str:
    provider = provider.split(":", 1)[0]
    return {
        "anthropic": "anthropic_api_key",
        "openai": "openai_api_key",
        "openai-codex": "codex_auth",
        "google": "gemini_api_key",
        "gemini": "gemini_api_key",
        "openrouter": "openrouter_api_key",
    }.get(provider, "model_api_key")


def classify(key_path: str, value: str) -> str | None:
    """Kind of the secret at ``key_path`` (dotted, e.g. ``channels.slack.botToken``) with ``value``;
    None when it is not a secret (empty, a non-secret leaf, or nothing secret-like about it)."""
    leaf = key_path.rsplit(".", 1)[-1].lower()
    if not value.strip() or leaf in _NOT_SECRET_LEAVES:
        return None
    by_value = classify_value(value)
    lowered = key_path.lower()
    provider = _MODEL_PROVIDER_KEY.search(lowered)
    if provider is not None:
        return by_value or _provider_kind(provider.group(3))
    for pattern, kind in _KEY_PATHS:
        if pattern.search(lowered):
            if kind in ("generic_secret", "model_api_key", "model_oauth_token") and by_value:
                return by_value
            return kind
    return by_value
