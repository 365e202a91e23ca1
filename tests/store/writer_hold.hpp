// Holding the single writer (store/writer.hpp) so that the jobs queued meanwhile form one batch: for the
// tests of what happens inside a batch (store_writer_test.cpp, writer_pipeline_test.cpp).
#pragma once

#include <latch>
#include <memory>

#include "store/writer.hpp"

namespace cati::test {

// Returns once the writer thread is busy with a job that waits for `go`: what is queued meanwhile
// forms the next batch.
// `w`: a store::writer, or a store::fieldwork_store (which posts to its writer).
template <class Writer>
void hold_writer(Writer& w, std::latch& go) {
  // Shared: the job may still be inside count_down() when wait() returns here.
  auto started = std::make_shared<std::latch>(1);
  w.post(
      [started, &go](store::sql::connection&) {
        started->count_down();
        go.wait();
      },
      [](auto) {});
  started->wait();
}

}  // namespace cati::test
