#include "store/error.hpp"

#include <SQLiteCpp/Exception.h>

namespace cati::store {

void rethrow_as_store_error() {
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    throw store_error(store_errc::sqlite, e.what());
  }
}

}  // namespace cati::store
