-- COPY cannot write into a table with row-level security, so rejected rows land here first.
create temporary table rejected_stage (
    row_number  bigint not null,
    reason      text not null,
    record      text
) on commit drop
