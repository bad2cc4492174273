"""SIEM forwarders: each alert is queued on disk, then sent to syslog, Splunk HEC or a webhook with retry."""
