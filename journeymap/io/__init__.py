"""Reading events: read_events, read_twcs and the EventLog."""
