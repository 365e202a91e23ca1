// What a server that has lost the fieldwork to another one (a takeover) gets when it writes: shared by the
// ownership tests of both backends.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "store/error.hpp"
#include "store/fieldwork_store.hpp"
#include "store_fixture.hpp"

namespace cati::test {

// Writes an interviewer called `name` through `fw`, whose ownership has been taken over: the write must
// be refused with ownership_lost, and nothing of it stored.
inline void expect_fenced_write(store::fieldwork_store& fw, const std::string& name) {
  try {
    add_interviewer(fw, name);
    ADD_FAILURE() << "a commit under a lost epoch went through";
  } catch (const store::store_error& e) {
    EXPECT_EQ(e.code(), store::store_errc::ownership_lost) << e.what();
  }
  EXPECT_FALSE(fw.find_user(name)) << "nothing of the refused batch is stored";
}

}  // namespace cati::test
