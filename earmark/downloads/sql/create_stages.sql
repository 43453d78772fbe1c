-- Transaction-scoped landing spots: COPY cannot write the RLS tables themselves.
create temporary table strings_stage (string_id bigint not null, value text not null) on commit drop;
create temporary table rejected_stage (row_number bigint not null, reason text not null, record text) on commit drop
