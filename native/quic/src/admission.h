// Who may open a connection on a listening endpoint (RFC 9000 §8.1 address validation, §21.1
// amplification, §21.6 state exhaustion). Every Initial that would open a connection comes here
// first: past `retry_above` half-open connections, a client must prove its address with a Retry
// token before any state is kept for it; past the caps (half-open ones, globally and per source
// address, and all connections) it is refused without state. Nothing here allocates per packet.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <unordered_map>

#include <ngtcp2/ngtcp2.h>

struct AdmissionLimits {
  uint32_t retry_above = 16;  // half-open connections from which Retry is required; 0: always
  uint32_t max_half_open = 256;
  uint32_t max_half_open_per_address = 32;
  uint32_t max_connections = 10000;
};

struct AdmissionStats {
  uint64_t initials = 0;         // Initials that would open a connection
  uint64_t retries = 0;          // Retry packets sent
  uint64_t bad_tokens = 0;       // Initials whose Retry token did not verify (dropped)
  uint64_t refused_half_open = 0;
  uint64_t refused_per_address = 0;
  uint64_t refused_connections = 0;
};

// A source address without its port: the unit of the per-address cap.
struct AddressKey {
  uint8_t bytes[16];
  uint8_t family;
  bool operator==(const AddressKey& o) const;
};
struct AddressKeyHash {
  size_t operator()(const AddressKey& k) const;
};
AddressKey AddressOf(const sockaddr* sa);

class Admission {
 public:
  enum Verdict { kAccept, kRetry, kRefuse, kDrop };

  explicit Admission(const AdmissionLimits& limits);

  // Decides on an Initial that opens a connection. On kAccept with a verified Retry token,
  // `odcid` holds the client's original DCID and `*validated` is true.
  Verdict Check(const ngtcp2_pkt_hd& hd, const sockaddr* from, ngtcp2_cid* odcid, bool* validated);
  // Writes a Retry for `hd` into `out`; returns its length, or 0 on failure.
  size_t WriteRetry(uint8_t* out, size_t cap, const ngtcp2_pkt_hd& hd, const sockaddr* from,
                    ngtcp2_tstamp now);

  // Book-keeping of the connections this endpoint holds.
  void Opened(const AddressKey& from);
  void Established(const AddressKey& from);
  void Closed(const AddressKey& from, bool half_open);

  const AdmissionStats& stats() const { return stats_; }
  uint32_t half_open() const { return half_open_; }
  uint32_t connections() const { return connections_; }

 private:
  AdmissionLimits limits_;
  AdmissionStats stats_;
  uint8_t token_secret_[32];
  uint32_t half_open_ = 0;
  uint32_t connections_ = 0;
  std::unordered_map<AddressKey, uint32_t, AddressKeyHash> half_open_by_address_;
};
