"""The sensor's local answer to "is there OpenClaw on this host, and how bad": a small status file MDM
scripts (Jamf extension attribute, Intune custom attribute) read, instead of running a scan of their
own as a child of the MDM agent (where TCC judges the agent, not clawwatch, and the scan sees less).
"""
