select line, match, pattern, note from downloads.bot_patterns where version = %(version)s order by line
