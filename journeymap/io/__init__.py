"""Reading events: :func:`read_events`, :func:`read_twcs`, the :class:`EventLog`, and the reader contract.

A reader turns a source into an :class:`EventLog` in three steps, each public here so that a new
reader (a ticketing export, say) needs no private import: :func:`read_table` (a frame or a file),
its own mapping onto the canonical columns of :mod:`journeymap.schema` (:func:`map_columns` for
plain renames, noting format-specific problems in a :class:`Problems`), and
:func:`validate_events`. See the guide "Writing a reader".
"""

from __future__ import annotations

from journeymap.io.eventlog import EventLog, OnError, empty_rejects
from journeymap.io.events import read_events
from journeymap.io.sources import file_kind, map_columns, read_table, write_table
from journeymap.io.twcs import read_twcs
from journeymap.io.validation import Problems, as_id, as_text, check_on_error, raise_invalid, validate_events

__all__ = [
    "EventLog",
    "OnError",
    "Problems",
    "as_id",
    "as_text",
    "check_on_error",
    "empty_rejects",
    "file_kind",
    "map_columns",
    "raise_invalid",
    "read_events",
    "read_table",
    "read_twcs",
    "validate_events",
    "write_table",
]
