// Users of the fieldwork: interviewers, supervisors, administrators. A user is never deleted (the call
// log and answers name them); disabling stops new logins.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

std::string_view to_string(user_role role);
std::optional<user_role> role_from_string(std::string_view name);

// Throws store_error: conflict when the name is taken, invalid for an empty name or hash.
row_id add_user(sql::connection& db, const new_user& user);
// Disables `name` and notes it in the audit log (`by` may be unknown: the command line). Disabling a
// disabled user changes nothing. Throws store_error(not_found).
void disable_user(sql::connection& db, std::string_view name, time_point at, std::optional<row_id> by);
// Lets a disabled user log in again, audited ("user_enable"); enabling an active user changes nothing.
// Throws store_error(not_found).
void enable_user(sql::connection& db, std::string_view name, time_point at, std::optional<row_id> by);
// Replaces `name`'s password hash, audited ("user_password"; the hash is not logged). Sessions already
// open keep their tokens. Throws store_error(not_found), invalid for an empty hash.
void set_password(sql::connection& db, std::string_view name, const std::string& password_hash, time_point at,
                  std::optional<row_id> by);
std::optional<user_record> find_user(sql::connection& db, std::string_view name);
std::vector<user_record> list_users(sql::connection& db);  // by name

}  // namespace cati::store
