delete from downloads.ad_deliveries where day between %(first)s and %(last)s
