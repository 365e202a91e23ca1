// Idempotency by request id: the request log. A request that changed something is logged with its
// changes (request_logged, same commit); a repeat by the same user under the same id is answered from
// the log instead of being done again (fieldwork.hpp, "Idempotent requests").
#include "core/fieldwork/fieldwork.hpp"

namespace cati::core {

const request_logged* fieldwork::earlier_request(const user& who, std::uint64_t request) const {
  if (request == 0) return nullptr;
  auto user = requests_.find(who.id);
  if (user == requests_.end()) return nullptr;
  auto it = user->second.find(request);
  return it == user->second.end() ? nullptr : &it->second;
}

void fieldwork::log_request(request_logged r, change_list& changes) {
  if (r.request == 0) return;
  changes.push_back(r);
  remember_request(std::move(r));
}

void fieldwork::remember_request(request_logged r) {
  if (r.request == 0) return;
  auto& mine = requests_[r.user];
  mine[r.request] = std::move(r);
  // The store keeps the same ones (the largest ids): memory and file agree after a restart.
  while (mine.size() > kept_requests) mine.erase(mine.begin());
}

void fieldwork::load_requests(std::vector<request_logged> requests) {
  for (auto& r : requests) remember_request(std::move(r));
}

}  // namespace cati::core
