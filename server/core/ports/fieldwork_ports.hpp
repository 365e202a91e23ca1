// The ports through which the fieldwork service's host (cati-server) reaches storage: loading the
// fieldwork at start (and cases imported while it runs), and committing each request's changes.
// server/store implements both (store/fieldwork_port.hpp); tests may use in-memory ones.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/fieldwork/fieldwork.hpp"

namespace cati::core {

// Reads what the fieldwork service starts from. Called from the service's strand at start, and
// periodically for new cases; each call is one consistent snapshot.
class fieldwork_source {
 public:
  virtual ~fieldwork_source() = default;
  // Cases with an id above `after`, each with its whole call history, contact and respondent id/seed.
  virtual std::vector<loaded_case> cases_after(case_id after) = 0;
  // Interviews not closed yet.
  virtual std::vector<loaded_interview> open_interviews() = 0;
  virtual quota_state quotas() = 0;
  // One above the largest interview id used so far.
  virtual interview_id next_interview_id() = 0;
  // The user by name, with their password hash; nullopt when unknown or disabled.
  struct account {
    user who;
    std::string password_hash;
  };
  virtual std::optional<account> find_account(const std::string& name) = 0;
  // The session tokens issued and not yet closed (session_opened without session_closed), expired ones
  // included: the caller knows the time.
  struct saved_session {
    std::string digest;
    std::string user;
    time_point expires{};
  };
  virtual std::vector<saved_session> sessions() = 0;
};

// Commits a request's changes in one transaction, in order, then calls `done` (from any thread) with
// nullopt on success or the error. FIFO: changes committed in the order they were handed over.
class fieldwork_journal {
 public:
  virtual ~fieldwork_journal() = default;
  virtual void commit(change_list changes, std::function<void(std::optional<std::string> error)> done) = 0;
};

}  // namespace cati::core
