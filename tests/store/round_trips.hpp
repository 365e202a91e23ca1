// How many times the store's writer has waited for PostgreSQL (store/sql/pg_connection.hpp,
// round_trips()): for tests that a pipelined batch does not wait where it should not.
#pragma once

#include <cstdint>

#include "store/fieldwork_store.hpp"
#include "store/sql/pg_connection.hpp"

namespace cati::test {

// The writer's round trips to PostgreSQL so far; 0 on SQLite. It is read by a job of its own, whose
// batch's waits are counted by the next call.
inline std::uint64_t round_trips(store::fieldwork_store& fw) {
  return fw.submit([](store::sql::connection& c) -> std::uint64_t {
             auto* pg = dynamic_cast<store::sql::pg_connection*>(&c);
             return pg ? pg->round_trips() : 0;
           }).get();
}

}  // namespace cati::test
