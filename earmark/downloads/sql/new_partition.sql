select downloads.new_partition(%(kind)s, %(suffix)s, %(tenant)s, %(batch)s)
