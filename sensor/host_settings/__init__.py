"""Settings a host's administrator delivers outside the config file: a root-only enroll-secret file and,
on macOS, MDM managed preferences. Plain readers with explicit paths; the per-OS facade says where
(macOS: /Library/Application Support/clawwatch/enroll-secret and /Library/Managed Preferences/
com.clawwatch.sensor.plist) and the layered settings put what they return under the config file's
values' precedence.
"""
