// The ports through which the fieldwork service's host (cati-server) reaches storage: loading the
// fieldwork at start (and cases imported while it runs), and committing each request's changes.
// server/store implements both (store/fieldwork_port.hpp); tests may use in-memory ones.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/fieldwork/fieldwork.hpp"
#include "core/ports/randomness.hpp"

namespace cati::core {

// Reads what the fieldwork service starts from. Called from the service's strand at start, and
// periodically for new cases (cases_not_in); each call is one consistent snapshot.
class fieldwork_source {
 public:
  virtual ~fieldwork_source() = default;
  // Cases with an id above `after`, each with its whole call history, contact and respondent id/seed.
  virtual std::vector<loaded_case> cases_after(case_id after) = 0;
  // The cases in the field now (the frame as imported, and every released replicate) whose ids are not in
  // `known` (sorted ascending), loaded as cases_after() loads them: firms imported while the server runs
  // and the cases of a replicate released meanwhile, whatever their ids. Empty, after one read of the
  // ids, when nothing arrived: cheap enough to poll.
  virtual std::vector<loaded_case> cases_not_in(const std::vector<case_id>& known) = 0;
  // Interviews not closed yet, with their current owner, language and suspension.
  virtual std::vector<loaded_interview> open_interviews() = 0;
  // Each interviewer's interview that ended last (final_state set): what the resend of the request that
  // ended it is recognised by after a restart.
  virtual std::vector<loaded_interview> latest_ended_interviews() = 0;
  // The request log (fieldwork::load_requests).
  virtual std::vector<request_logged> requests() = 0;
  // Where respondent ids and case seeds are drawn from: the operating system's generator (libsodium).
  virtual std::unique_ptr<randomness> make_randomness() = 0;
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
  // The sample's replicates (core/sample/replicates.hpp) as the file holds them, by replicate: each one's
  // cases and its release. Replicate 0, the frame as imported, is always released. What the supervisor page
  // lists beside the released sample: the cases of a replicate not released yet are in no case list.
  struct sample_replicate {
    int replicate = 0;
    int cases = 0;
    bool released = false;
    std::optional<time_point> released_at;  // when `cati sample release` released it; nullopt for 0 and unreleased
  };
  virtual std::vector<sample_replicate> replicates() = 0;
};

// Commits a request's changes in one transaction, in order, then calls `done` (from any thread) with
// nullopt on success or the error. FIFO: changes committed in the order they were handed over.
class fieldwork_journal {
 public:
  virtual ~fieldwork_journal() = default;
  virtual void commit(change_list changes, std::function<void(std::optional<std::string> error)> done) = 0;
};

// The fieldwork as the source holds it: built from its quota state, interview ids and randomness, then
// loaded with every case, the open interviews, each interviewer's latest ended one, and the request
// log, in that order (what a restart must rebuild: fieldwork.hpp, "Durable truth"). `now` is for files
// written before locks were persisted (fieldwork::load_interviews). The host and the tests open it alike.
struct opened_fieldwork {
  std::unique_ptr<fieldwork> service;
  case_id last_case = 0;  // the largest case id loaded: cases_after() from there finds imports
  std::vector<std::pair<interview_id, std::string>> not_restored;  // interviews that could not be, and why
};
opened_fieldwork open_fieldwork(std::shared_ptr<const questionnaire> study, const calendar& cal,
                                fieldwork_source& source, fieldwork_options options, time_point now);

}  // namespace cati::core
