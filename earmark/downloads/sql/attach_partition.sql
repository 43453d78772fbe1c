select downloads.attach_partition(%(kind)s, %(suffix)s, %(bound)s)
