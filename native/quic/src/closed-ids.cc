#include "closed-ids.h"

void ClosedIds::Add(const std::vector<CidKey>& ids, std::vector<uint8_t> close_packet,
                    const sockaddr_storage& peer, uint64_t until_ns, uint64_t now_ns) {
  Expire(now_ns);
  auto ended = std::make_shared<Ended>();
  ended->close_packet = std::move(close_packet);
  ended->peer = peer;
  ended->until_ns = until_ns;
  for (const CidKey& id : ids) {
    by_id_[id] = ended;
    order_.emplace_back(id, ended);
  }
  while (order_.size() > kMaxIds) {
    auto& [id, e] = order_.front();
    auto it = by_id_.find(id);
    if (it != by_id_.end() && it->second == e) by_id_.erase(it);
    order_.pop_front();
  }
}

bool ClosedIds::Take(const CidKey& id, uint64_t now_ns, const std::vector<uint8_t>** resend,
                     const sockaddr_storage** to) {
  *resend = nullptr;
  *to = nullptr;
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  Ended& e = *it->second;
  if (now_ns >= e.until_ns) {
    by_id_.erase(it);
    return false;
  }
  // Answer the 1st, 2nd, 4th, 8th… packet: a peer that keeps sending gets fewer and fewer
  // answers, so the closing endpoint can never be made to send more than it receives.
  uint32_t n = ++e.packets_seen;
  if (!e.close_packet.empty() && (n & (n - 1)) == 0) {
    *resend = &e.close_packet;
    *to = &e.peer;
  }
  return true;
}

void ClosedIds::Expire(uint64_t now_ns) {
  // Periods differ per connection (each its own PTO), so this stops at the first one still
  // running; any expired id behind it is dropped when a packet asks for it (Take) or by the cap.
  while (!order_.empty() && order_.front().second->until_ns <= now_ns) {
    auto& [id, e] = order_.front();
    auto it = by_id_.find(id);
    if (it != by_id_.end() && it->second == e) by_id_.erase(it);
    order_.pop_front();
  }
}
