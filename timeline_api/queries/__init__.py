"""The read side: functions that build statements and fetch results, free of HTTP."""
