// A connection id as a hash-map key, held by value: routing a packet to its connection costs no
// heap allocation (a std::string key did, once per packet).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include <ngtcp2/ngtcp2.h>

struct CidKey {
  uint8_t len = 0;
  uint8_t data[NGTCP2_MAX_CIDLEN];

  CidKey() = default;
  CidKey(const uint8_t* bytes, size_t n) : len(static_cast<uint8_t>(n)) { memcpy(data, bytes, n); }
  explicit CidKey(const ngtcp2_cid& cid) : CidKey(cid.data, cid.datalen) {}
  bool operator==(const CidKey& o) const { return len == o.len && memcmp(data, o.data, len) == 0; }
};

struct CidKeyHash {
  size_t operator()(const CidKey& k) const {
    return std::hash<std::string_view>()(
        std::string_view(reinterpret_cast<const char*>(k.data), k.len));
  }
};
