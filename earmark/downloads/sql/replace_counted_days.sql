delete from downloads.counted_days where day between %(first)s and %(last)s
