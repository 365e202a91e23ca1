#include "store/user_repo.hpp"

#include <array>

#include "store/audit_repo.hpp"
#include "store/sql_detail.hpp"

namespace cati::store {

using namespace detail;

namespace {

constexpr std::array<std::string_view, 3> role_names = {"interviewer", "supervisor", "admin"};

std::string join_languages(const std::vector<std::string>& languages) {
  std::string out;
  for (const auto& l : languages) out += (out.empty() ? "" : ",") + l;
  return out;
}

std::vector<std::string> split_languages(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

constexpr const char* user_columns =
    "SELECT id, name, role, languages, password_hash, disabled, created_at, skills FROM users";

user_record read_user(sql::statement& q) {
  return {q.getColumn(0).getInt64(),
          q.getColumn(1).getString(),
          role_from_string(q.getColumn(2).getString()).value_or(user_role::interviewer),
          split_languages(q.getColumn(3).getString()),
          q.getColumn(4).getString(),
          q.getColumn(5).getInt() != 0,
          from_ms(q.getColumn(6).getInt64()),
          split_languages(q.getColumn(7).getString())};  // the same comma-separated list
}

}  // namespace

std::string_view to_string(user_role role) { return role_names[static_cast<std::size_t>(role)]; }

std::optional<user_role> role_from_string(std::string_view name) {
  for (std::size_t i = 0; i < role_names.size(); ++i)
    if (role_names[i] == name) return static_cast<user_role>(i);
  return std::nullopt;
}

row_id add_user(sql::connection& db, const new_user& user) {
  if (user.name.empty()) throw store_error(store_errc::invalid, "a user needs a name");
  if (user.password_hash.empty()) throw store_error(store_errc::invalid, "a user needs a password");
  if (find_user(db, user.name)) throw store_error(store_errc::conflict, "user '" + user.name + "' already exists");
  sql::statement insert(db,
                           "INSERT INTO users (name, role, languages, password_hash, created_at, skills)"
                           " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, user.name);
  insert.bind(2, std::string(to_string(user.role)));
  insert.bind(3, join_languages(user.languages));
  insert.bind(4, user.password_hash);
  insert.bind(5, to_ms(user.created_at));
  insert.bind(6, join_languages(user.skills));
  return inserted_id(insert);
}

void disable_user(sql::connection& db, std::string_view name, time_point at, std::optional<row_id> by) {
  auto user = find_user(db, name);
  if (!user) not_found("no user '" + std::string(name) + "'");
  if (user->disabled) return;
  sql::statement update(db, "UPDATE users SET disabled = 1 WHERE id = ?");
  update.bind(1, user->id);
  update.exec();
  append_audit(db, {at, by, "user_disable", user->name});
}

void enable_user(sql::connection& db, std::string_view name, time_point at, std::optional<row_id> by) {
  auto user = find_user(db, name);
  if (!user) not_found("no user '" + std::string(name) + "'");
  if (!user->disabled) return;
  sql::statement update(db, "UPDATE users SET disabled = 0 WHERE id = ?");
  update.bind(1, user->id);
  update.exec();
  append_audit(db, {at, by, "user_enable", user->name});
}

void set_password(sql::connection& db, std::string_view name, const std::string& password_hash, time_point at,
                  std::optional<row_id> by) {
  auto user = find_user(db, name);
  if (!user) not_found("no user '" + std::string(name) + "'");
  if (password_hash.empty()) throw store_error(store_errc::invalid, "an empty password hash");
  sql::statement update(db, "UPDATE users SET password_hash = ? WHERE id = ?");
  update.bind(1, password_hash);
  update.bind(2, user->id);
  update.exec();
  append_audit(db, {at, by, "user_password", user->name});
}

std::optional<user_record> find_user(sql::connection& db, std::string_view name) {
  sql::statement q(db, std::string(user_columns) + " WHERE name = ?");
  q.bind(1, std::string(name));
  if (!q.executeStep()) return std::nullopt;
  return read_user(q);
}

std::vector<user_record> list_users(sql::connection& db) {
  sql::statement q(db, std::string(user_columns) + " ORDER BY name");
  std::vector<user_record> out;
  while (q.executeStep()) out.push_back(read_user(q));
  return out;
}

}  // namespace cati::store
