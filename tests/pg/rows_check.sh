# tests/pg/rows_check.sh, sourced: check FIRST ROWS against the database at $url, for $interviews
# interviews. Prints "count|digest|snapshots", each t when the table holds exactly what bench-pg reports
# having written for interviews FIRST..FIRST+interviews-1: interview first+i got seq 1..n_i (round robin),
# value seq % 97, and its snapshot is 'seq=<n_i>' padded with x to 300 bytes.
check() {
  psql "$url" -At -v ON_ERROR_STOP=1 <<SQL
WITH expected AS (
  SELECT $1 + i AS interview_id, s AS seq, (s % 97)::text AS value
  FROM generate_series(0, $interviews - 1) AS i,
       generate_series(1, $2 / $interviews + CASE WHEN i < $2 % $interviews THEN 1 ELSE 0 END) AS s),
actual AS (
  SELECT interview_id, seq, value FROM bench_pg.answers
  WHERE interview_id BETWEEN $1 AND $1 + $interviews - 1)
SELECT (SELECT count(*) FROM actual) = $2,
       (SELECT md5(string_agg(interview_id || ':' || seq || ':' || value, ',' ORDER BY interview_id, seq)) FROM actual) =
       (SELECT md5(string_agg(interview_id || ':' || seq || ':' || value, ',' ORDER BY interview_id, seq)) FROM expected),
       (SELECT bool_and(i.snapshot = rpad('seq=' || e.last, 300, 'x'))
          FROM bench_pg.interviews i JOIN (SELECT interview_id, max(seq) AS last FROM expected GROUP BY 1) e
          ON e.interview_id = i.id);
SQL
}
