// bench-users: the benchmark's interviewers. Adds PREFIX0..PREFIX<count-1> (interviewers, nl and fr) to
// a fieldwork file, all with the password in --password-file, hashed once at libsodium's minimum cost
// (store::hash_cost::minimum): ten thousand load-test logins then cost the server microseconds each, so
// the benchmark measures the fieldwork, not Argon2id. Real accounts (`cati users add`) use the
// interactive cost; tools/bench measures one such login on its own.
// Prints the number of users added; exit 1 on an error, saying which.
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>

#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "store/password.hpp"
#include "store/user_repo.hpp"

int main(int argc, char** argv) {
  std::string db_path, prefix = "bench", password_file;
  int count = 1;
  CLI::App app{"bench-users: add the benchmark's interviewers to a fieldwork file"};
  app.add_option("--db", db_path, "the fieldwork file")->required();
  app.add_option("--count", count, "how many users")->check(CLI::Range(1, 1000000));
  app.add_option("--prefix", prefix, "user i is PREFIX<i>");
  app.add_option("--password-file", password_file, "the users' password (first line)")->required();
  CLI11_PARSE(app, argc, argv);

  namespace store = cati::store;
  try {
    std::ifstream in(password_file);
    std::string password;
    if (!in || !std::getline(in, password) || password.empty())
      throw std::runtime_error(password_file + ": cannot read a password from the first line");
    const auto hash = store::hash_password(password, store::hash_cost::minimum);
    auto db = store::open_write_connection({.path = db_path});
    store::migrate(*db, db_path);
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    db->begin_write();
    for (int i = 0; i < count; ++i)
      store::add_user(*db, {prefix + std::to_string(i), store::user_role::interviewer, {"nl", "fr"}, hash, now});
    db->commit();
    std::cout << count << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench-users: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
