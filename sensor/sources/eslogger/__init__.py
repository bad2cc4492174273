"""Endpoint Security events on macOS through Apple's ``/usr/bin/eslogger`` (macOS 13+).

eslogger is Apple's own entitled Endpoint Security client: run as root by a process that holds Full
Disk Access, it prints one JSON object per event on stdout. Its man page says the JSON "is NOT API in
any sense" and changes between releases, so this package reads it defensively:

* ``shapes``      what each message version looks like (pinned per macOS major, from recorded output);
* ``messages``    the decoded, typed messages (exec, fork, exit, open) the rest of the sensor uses;
* ``parser``      one line of JSON -> one message, counting (never raising on) what it cannot read,
                  with a cheap pre-filter that drops ``open`` events outside the watched directories;
* ``supervisor``  runs ``eslogger exec fork exit open``, restarts it with backoff, recognises a missing
                  Full Disk Access grant from its stderr; the one seam where a file replaces the process;
* ``adapters``    the process source's exec trigger and reader, and the file-access backend, fed by it.

Nothing here tests the OS: the per-OS facade (``sensor.platform``) chooses these on a Mac.
"""
