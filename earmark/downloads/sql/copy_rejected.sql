copy rejected_stage (row_number, reason, record) from stdin (format csv)
