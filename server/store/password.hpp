// Passwords: stored only as libsodium's Argon2id string (crypto_pwhash_str: algorithm, parameters, salt
// and hash in one string), checked with crypto_pwhash_str_verify. Hashing is slow on purpose (tens of
// milliseconds to a few hundred on a loaded two-core machine, 64 MiB): run it off the network threads.
//
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cati::store {

inline constexpr std::size_t min_password_length = 8;

// Why `password` is not acceptable ("too short: at least 8 characters"), or nullopt.
std::optional<std::string> password_problem(std::string_view password);

// How much work a hash costs. `interactive` for every real account; `minimum` (libsodium's minimum
// limits: microseconds, no protection against guessing) only for the benchmark's throwaway accounts, so
// that ten thousand load-test logins take seconds and the login cost does not hide the server's.
enum class hash_cost { interactive, minimum };

// Throws std::runtime_error when libsodium cannot (out of memory).
std::string hash_password(std::string_view password, hash_cost cost = hash_cost::interactive);

// False for a wrong password and for a malformed stored hash.
bool verify_password(std::string_view stored_hash, std::string_view password);

}  // namespace cati::store
