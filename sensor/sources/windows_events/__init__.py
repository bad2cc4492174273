"""Windows event records (Sysmon 1, Security 4688, Security 4663) to ``Event`` in the Sigma/Sysmon taxonomy.

Pure functions, no Windows needed: :mod:`.record` reads the two shapes a record comes in (event XML as
``EvtRender`` / ``wevtutil qe /f:xml`` give it, and evtx_dump's JSON), :mod:`.mapping` turns a record into an
``Event``. :mod:`.live` subscribes to the event log on Windows (pywin32 ``EvtSubscribe``) behind a small
interface the platform facade plugs in. docs/windows.md says why these sources.
"""

from sensor.sources.windows_events.mapping import SUPPORTED, to_event
from sensor.sources.windows_events.record import EventRecord, RecordError, record_from_json, record_from_xml

__all__ = ["SUPPORTED", "EventRecord", "RecordError", "record_from_json", "record_from_xml", "to_event"]
