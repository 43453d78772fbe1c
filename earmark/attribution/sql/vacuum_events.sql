vacuum analyze raw.events
