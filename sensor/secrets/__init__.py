"""Secrets never leave the host: salted fingerprints and redaction of command lines and text."""

from sensor.secrets.fingerprint import Fingerprinter, length_class, load_or_create_salt
from sensor.secrets.redact import REDACTED, redact_argv, redact_text

__all__ = ["REDACTED", "Fingerprinter", "length_class", "load_or_create_salt", "redact_argv", "redact_text"]
