select show_id from catalog.shows
