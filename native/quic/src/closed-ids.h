// The connection ids of connections that ended, kept for three PTOs: the closing and draining
// periods of RFC 9000 §10.2 (docs/protocol.md §1). A connection that sent CONNECTION_CLOSE
// answers late packets with that same packet again, at a falling rate, so a peer whose copy was
// lost still learns the connection is gone instead of waiting for its idle timeout; one that
// received CONNECTION_CLOSE (draining) drops them without a word. Without the table a late packet
// for an ended connection is just unknown, and is dropped.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cid-key.h"

class ClosedIds {
 public:
  // A flood of ended connections must not grow this without bound: past it the oldest go first.
  static const size_t kMaxIds = 8192;

  // `close_packet` empty: draining (drop what comes); else closing (answer with it).
  void Add(const std::vector<CidKey>& ids, std::vector<uint8_t> close_packet,
           const sockaddr_storage& peer, uint64_t until_ns, uint64_t now_ns);

  // A packet for `id` arrived. False: not an ended connection's id (or its period is over).
  // True: it was one and the packet is consumed; `*resend` then points at the CONNECTION_CLOSE to
  // send again to `*to` (null when it is not this packet's turn, or the connection is draining).
  bool Take(const CidKey& id, uint64_t now_ns, const std::vector<uint8_t>** resend,
            const sockaddr_storage** to);

  size_t size() const { return by_id_.size(); }

 private:
  struct Ended {
    std::vector<uint8_t> close_packet;
    sockaddr_storage peer;
    uint64_t until_ns;
    uint32_t packets_seen = 0;
  };
  void Expire(uint64_t now_ns);

  std::unordered_map<CidKey, std::shared_ptr<Ended>, CidKeyHash> by_id_;
  std::deque<std::pair<CidKey, std::shared_ptr<Ended>>> order_;  // oldest first
};
