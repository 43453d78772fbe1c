-- One pattern of a new bot user-agent list version (lists/store.py).
insert into downloads.bot_patterns (version, line, match, pattern, note) values (%s, %s, %s, %s, %s)
