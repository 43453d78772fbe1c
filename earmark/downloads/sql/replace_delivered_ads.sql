delete from downloads.delivered_ads where day between %(first)s and %(last)s
