#include "admission.h"

#include <gnutls/crypto.h>
#include <netinet/in.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <uv.h>

#include <cstring>
#include <string_view>

#include "connection.h"
#include "udp-socket.h"

namespace {

// A Retry token is good for one round trip; 10 s allows a slow path and a loaded client.
const ngtcp2_duration kRetryTokenTimeout = 10ull * NGTCP2_SECONDS;

}  // namespace

bool AddressKey::operator==(const AddressKey& o) const {
  return family == o.family && memcmp(bytes, o.bytes, sizeof bytes) == 0;
}

size_t AddressKeyHash::operator()(const AddressKey& k) const {
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(k.bytes), sizeof k.bytes));
}

AddressKey AddressOf(const sockaddr* sa) {
  AddressKey k{};
  k.family = static_cast<uint8_t>(sa->sa_family);
  if (sa->sa_family == AF_INET6)
    memcpy(k.bytes, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
  else
    memcpy(k.bytes, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
  return k;
}

Admission::Admission(const AdmissionLimits& limits) : limits_(limits) {
  gnutls_rnd(GNUTLS_RND_RANDOM, token_secret_, sizeof token_secret_);
}

Admission::Verdict Admission::Check(const ngtcp2_pkt_hd& hd, const sockaddr* from,
                                    ngtcp2_cid* odcid, bool* validated) {
  stats_.initials++;
  *validated = false;
  if (hd.token.len > 0 && hd.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
    if (ngtcp2_crypto_verify_retry_token(odcid, hd.token.base, hd.token.len, token_secret_,
                                         sizeof token_secret_, hd.version, from,
                                         SockaddrLen(from), &hd.dcid, kRetryTokenTimeout,
                                         uv_hrtime()) != 0) {
      stats_.bad_tokens++;
      return kDrop;
    }
    *validated = true;
  }
  if (!*validated && (limits_.retry_above == 0 || half_open_ >= limits_.retry_above))
    return kRetry;
  if (connections_ >= limits_.max_connections) {
    stats_.refused_connections++;
    return kRefuse;
  }
  if (half_open_ >= limits_.max_half_open) {
    stats_.refused_half_open++;
    return kRefuse;
  }
  auto it = half_open_by_address_.find(AddressOf(from));
  if (it != half_open_by_address_.end() && it->second >= limits_.max_half_open_per_address) {
    stats_.refused_per_address++;
    return kRefuse;
  }
  return kAccept;
}

size_t Admission::WriteRetry(uint8_t* out, size_t cap, const ngtcp2_pkt_hd& hd,
                             const sockaddr* from, ngtcp2_tstamp now) {
  ngtcp2_cid retry_scid;
  retry_scid.datalen = Connection::kScidLen;
  gnutls_rnd(GNUTLS_RND_NONCE, retry_scid.data, retry_scid.datalen);
  uint8_t token[NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN];
  ngtcp2_ssize tokenlen = ngtcp2_crypto_generate_retry_token(
      token, token_secret_, sizeof token_secret_, hd.version, from, SockaddrLen(from),
      &retry_scid, &hd.dcid, now);
  if (tokenlen < 0) return 0;
  ngtcp2_ssize n = ngtcp2_crypto_write_retry(out, cap, hd.version, &hd.scid, &retry_scid,
                                             &hd.dcid, token, static_cast<size_t>(tokenlen));
  if (n <= 0) return 0;
  stats_.retries++;
  return static_cast<size_t>(n);
}

void Admission::Opened(const AddressKey& from) {
  connections_++;
  half_open_++;
  half_open_by_address_[from]++;
}

void Admission::Established(const AddressKey& from) {
  half_open_--;
  auto it = half_open_by_address_.find(from);
  if (it != half_open_by_address_.end() && --it->second == 0) half_open_by_address_.erase(it);
}

void Admission::Closed(const AddressKey& from, bool half_open) {
  connections_--;
  if (half_open) Established(from);
}
