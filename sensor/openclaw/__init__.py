"""Everything clawwatch knows about OpenClaw (and its earlier names Clawdbot and Moltbot).

Names, per-OS locations, process identity, config loading, grants, exposure, credential stores,
version detection, persistence and the findings catalogue. Ground truth: the reference
``openclaw-facts.md`` checked against the real 2026.9.6 and 2026.2.26 packages.
"""
