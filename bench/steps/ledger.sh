# shellcheck shell=bash disable=SC2154  # the variables are tools/bench's
# The proof of the storm and failover steps (sourced by them): every AnswerAck the terminals got
# (cati-load --ledger) against the rows in `answers` for those interviews. lost = an acknowledged answer
# not stored; doubled = stored twice, or stored but never acknowledged (after the window every in-flight
# request was resent and acknowledged, so the two must be equal, row for row).
#
# ledger_proof LEDGER NAME sets n_acked, n_stored, lost, doubled and the files acked, stored (declare
# them local in the step); ledger_ok NAME fails the run unless lost and doubled are 0.
ledger_proof() {
  local ledger=$1 name=$2
  # `answers.seq` is the store's row number, not the request's seq: a Back stores no row. So per
  # interview: the acknowledged answers that store a row (ledger lines with a question), each seq once, in
  # seq order, against the stored rows in row order, as "interview rank question".
  acked=$work/$name.acked stored=$work/$name.stored
  LC_ALL=C sort -u "$ledger" | awk 'NF == 3' | sort -k1,1n -k2,2n \
    | awk '{ n[$1]++; print $1, n[$1], $3 }' | LC_ALL=C sort >"$acked"
  db_rows "SELECT interview_id, question FROM answers ORDER BY interview_id, seq" \
    | awk 'NR == FNR { ids[$1] = 1; next } ($1 in ids) { n[$1]++; print $1, n[$1], $2 }' "$ledger" - \
    | LC_ALL=C sort >"$stored"
  n_acked=$(wc -l <"$acked")
  n_stored=$(wc -l <"$stored")
  lost=$(LC_ALL=C comm -23 "$acked" "$stored" | wc -l)
  doubled=$(LC_ALL=C comm -13 "$acked" "$stored" | wc -l)
  ((n_acked > 0)) || fail "$name: the ledger is empty"
}

ledger_ok() {
  ((lost == 0 && doubled == 0)) ||
    fail "$1: $lost acknowledged answers lost, $doubled doubled: $(LC_ALL=C comm -3 "$acked" "$stored" | head -5 | tr '\n\t' ';.')"
}
