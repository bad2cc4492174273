"""Logsource families: the other logsources an event of one logsource belongs to, as pySigma's
pipelines define them. Data only (the sensor loads no pipeline); tests/unit/engine/test_logsource_families.py
derives the same tables from the installed pipelines and fails when they drift.

- ``CATEGORY_ALSO``: pysigma-pipeline-sysmon maps each Windows category to Sysmon event ids; a
  category whose ids are all ids of another category is also that category (``registry_set``, EID 13,
  is a ``registry_event``, EIDs 12/13/14; ``registry_add`` and ``registry_delete`` are both EID 12).
- ``CATEGORY_SERVICE``: pysigma-pipeline-windows gives the PowerShell categories their service.
- ``WINDOWS_SERVICES``: pySigma's Windows channel services (``sigma.pipelines.common``) imply
  product ``windows``.
"""

from __future__ import annotations

from sensor.engine.rule import Logsource

CATEGORY_ALSO: dict[tuple[str, str], tuple[str, ...]] = {  # (product, category) -> also these categories
    ("windows", "registry_add"): ("registry_delete", "registry_event"),
    ("windows", "registry_delete"): ("registry_add", "registry_event"),
    ("windows", "registry_set"): ("registry_event",),
    ("windows", "registry_rename"): ("registry_event",),
}
CATEGORY_SERVICE: dict[tuple[str, str], str] = {  # (product, category) -> the service it implies
    ("windows", "ps_module"): "powershell",
    ("windows", "ps_script"): "powershell",
    ("windows", "ps_classic_start"): "powershell-classic",
    ("windows", "ps_classic_provider_start"): "powershell-classic",
    ("windows", "ps_classic_script"): "powershell-classic",
}
WINDOWS_SERVICES = frozenset(
    {
        "application", "application-experience", "applocker", "appmodel-runtime", "appxdeployment-server",
        "appxpackaging-om", "bitlocker", "bits-client", "capi2", "certificateservicesclient-lifecycle-system",
        "codeintegrity-operational", "dhcp", "diagnosis-scripted", "dns-client", "dns-server",
        "dns-server-analytic", "dns-server-audit", "driver-framework", "firewall-as", "hyper-v-worker",
        "iis-configuration", "kernel-event-tracing", "kernel-shimengine", "ldap", "ldap_debug", "lsa-server",
        "microsoft-servicebus-client", "msexchange-management", "ntfs", "ntlm", "openssh", "powershell",
        "powershell-classic", "printservice-admin", "printservice-operational", "security",
        "security-mitigations", "sense", "servicebus-client", "shell-core", "smbclient-security", "sysmon",
        "system", "taskscheduler", "terminalservices-localsessionmanager", "vhdmp", "windefend", "wmi",
    }
)


def expand(source: Logsource) -> tuple[Logsource, ...]:
    """Every logsource an event of ``source`` belongs to (``source`` first, gaps filled in)."""
    category, product, service = source
    if product is None and service in WINDOWS_SERVICES:
        product = "windows"
    if service is None and category is not None and product is not None:
        service = CATEGORY_SERVICE.get((product, category))
    out: list[Logsource] = [(category, product, service)]
    if category is not None and product is not None:
        out.extend((also, product, service) for also in CATEGORY_ALSO.get((product, category), ()))
    return tuple(out)
