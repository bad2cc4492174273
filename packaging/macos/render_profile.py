#!/usr/bin/env python3
"""Render clawwatch.mobileconfig (the template beside this file) into a profile an MDM can push:

    render_profile.py --code-requirement 'identifier "com.clawwatch.sensor" and anchor apple generic and …' \\
        [--collector-url https://clawwatch.corp.example:8443] [--ca-bundle PATH] [--organization NAME] \\
        --out clawwatch.mobileconfig

The code requirement must be the signed binary's designated requirement (build-pkg.sh passes the output
of ``codesign -d -r - /usr/local/clawwatch/clawwatch``): TCC grants Full Disk Access to the code that
satisfies it, so a replaced or re-signed binary gets nothing. Payload UUIDs are derived from the
organisation and payload identifier (UUID v5), so re-rendering gives the same profile and an MDM
updates it in place. Refuses to render a secret: the profile is world-readable once installed.
Standard library only (runs with the Mac's python3).
"""

from __future__ import annotations

import argparse
import plistlib
import sys
import uuid
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent / "clawwatch.mobileconfig"
SECRET_KEYS = ("EnrollSecret", "Secret", "Token", "Password")


def render(code_requirement: str, *, collector_url: str | None = None, ca_bundle: str | None = None,
           organization: str = "clawwatch") -> dict[str, Any]:
    if not code_requirement.strip() or "REPLACE_" in code_requirement:
        raise ValueError("a real code requirement is needed (codesign -d -r - <signed binary>)")
    profile: dict[str, Any] = plistlib.loads(TEMPLATE.read_bytes())
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, organization)
    profile["PayloadOrganization"] = organization
    profile["PayloadUUID"] = str(uuid.uuid5(namespace, profile["PayloadIdentifier"])).upper()
    for payload in profile["PayloadContent"]:
        payload["PayloadUUID"] = str(uuid.uuid5(namespace, payload["PayloadIdentifier"])).upper()
        if payload["PayloadType"] == "com.clawwatch.sensor":
            if collector_url:
                payload["CollectorURL"] = collector_url
            if ca_bundle:
                payload["CABundle"] = ca_bundle
            leaked = [k for k in payload if any(word.lower() in k.lower() for word in SECRET_KEYS)]
            if leaked:
                raise ValueError(f"managed preferences are world-readable; remove {leaked}")
        if payload["PayloadType"] == "com.apple.TCC.configuration-profile-policy":
            for entries in payload["Services"].values():
                for entry in entries:
                    entry["CodeRequirement"] = code_requirement
    return profile


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code-requirement", required=True)
    parser.add_argument("--collector-url")
    parser.add_argument("--ca-bundle")
    parser.add_argument("--organization", default="clawwatch")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        profile = render(args.code_requirement, collector_url=args.collector_url, ca_bundle=args.ca_bundle,
                         organization=args.organization)
    except ValueError as exc:
        print(f"render_profile.py: {exc}", file=sys.stderr)
        return 2
    args.out.write_bytes(plistlib.dumps(profile))
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
