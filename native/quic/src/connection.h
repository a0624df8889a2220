// One QUIC connection (ngtcp2 + GnuTLS) carrying one bidirectional stream: the dialer opens it
// once the handshake is done; the listener takes the first stream its peer opens.
#pragma once

#include <gnutls/gnutls.h>
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "admission.h"
#include "cid-key.h"
#include "send-buffer.h"

class Endpoint;

class Connection {
 public:
  // Length of the connection ids we issue; the endpoint reads short headers with it.
  static const size_t kScidLen = 16;

  Connection(Endpoint* ep, uint32_t id, const sockaddr_storage& local, const sockaddr* remote);

  // Returns 0 or an ngtcp2/GnuTLS error code; on error the caller deletes the connection.
  int StartClient();
  // `odcid`: the client's original DCID when its Initial carried a verified Retry token.
  int StartServer(const ngtcp2_pkt_hd& hd, const ngtcp2_cid* odcid);

  // A datagram for this connection arrived from `from`: decrypt and process it. The path is the
  // datagram's own, so a peer whose address changed (NAT rebinding) is answered where it now is,
  // once ngtcp2 has validated the new path. What it delivers waits for Settle, which the
  // endpoint calls once per batch of datagrams.
  void Receive(const sockaddr* from, const uint8_t* data, size_t len);
  // Hands what the last reads delivered to JS (handshake, data, FIN), then sends what is due.
  void Settle();
  bool touched = false;  // already in the endpoint's list for this batch
  bool half_open = false;  // a server connection counted by admission until its handshake ends
  std::vector<CidKey> cids;  // the ids routed to this connection (endpoint's by_cid_)
  const AddressKey& origin() const { return origin_; }
  // From JS: copies the bytes and sends what flow and congestion control allow; returns the
  // bytes still waiting to go into packets.
  uint64_t Write(const uint8_t* data, size_t len);
  // From JS, for a write of several chunks: Append copies each to the stream's end, then one
  // WriteAppended sends and returns what Write would.
  void Append(const uint8_t* data, size_t len);
  uint64_t WriteAppended();
  // From JS: FIN after everything written so far.
  void Finish();
  // From JS: CONNECTION_CLOSE now (application error `code`), no event back.
  void CloseNow(uint64_t code, const std::string& reason);

  double RttMs() const;
  // What holds the send side back, for diagnosis: buffered bytes, flow-control credit left,
  // congestion window and bytes in flight, the loss-recovery state and the next timer.
  Napi::Object Stats(Napi::Env env) const;
  uint32_t id() const { return id_; }
  bool dead() const { return dead_; }
  ngtcp2_conn* conn() const { return conn_; }
  // Forgets the connection at once; it is freed once libuv has closed its timer.
  void Die();

 private:
  ~Connection();
  int StartTls(bool server);
  // After ngtcp2_conn_*_new: TLS, keep-alive, and routing of `scid` to this connection.
  int Attach(const ngtcp2_cid& scid, bool server);
  void FillCallbacks(ngtcp2_callbacks* cb, bool server);
  void FillSettings(ngtcp2_settings* s);
  void FillParams(ngtcp2_transport_params* p, bool server);
  void AfterRead();
  void WriteLoop();
  void ArmTimer();
  void Fail(int liberr, const std::string& what);
  void EndWith(const std::string& reason, bool graceful);
  void SendClose(const ngtcp2_connection_close_error& ccerr);
  std::string RemoteText() const;

  static void OnTimer(uv_timer_t* timer);
  static ngtcp2_conn* GetConn(ngtcp2_crypto_conn_ref* ref);
  static int OnStreamData(ngtcp2_conn*, uint32_t flags, int64_t stream_id, uint64_t offset,
                          const uint8_t* data, size_t len, void* user, void* stream_user);
  static int OnAcked(ngtcp2_conn*, int64_t stream_id, uint64_t offset, uint64_t len, void* user,
                     void* stream_user);
  static int OnStreamOpen(ngtcp2_conn*, int64_t stream_id, void* user);
  static int OnStreamReset(ngtcp2_conn*, int64_t stream_id, uint64_t final_size, uint64_t code,
                           void* user, void* stream_user);
  static int OnHandshakeCompleted(ngtcp2_conn*, void* user);
  static int OnNewCid(ngtcp2_conn*, ngtcp2_cid* cid, uint8_t* token, size_t cidlen, void* user);
  static int OnRemoveCid(ngtcp2_conn*, const ngtcp2_cid* cid, void* user);
  static void OnRand(uint8_t* dest, size_t len, const ngtcp2_rand_ctx* ctx);

  Endpoint* ep_;
  uint32_t id_;
  bool server_ = false;
  ngtcp2_conn* conn_ = nullptr;
  gnutls_session_t tls_ = nullptr;
  ngtcp2_crypto_conn_ref ref_;
  uv_timer_t timer_;
  sockaddr_storage local_;
  sockaddr_storage remote_;
  AddressKey origin_;
  ngtcp2_path path_;

  int64_t stream_id_ = -1;
  SendBuffer send_;
  bool fin_wanted_ = false;
  bool fin_sent_ = false;
  bool drain_wanted_ = false;

  std::vector<uint8_t> rx_;  // bytes read from the stream in this Receive, for one DATA event
  bool rx_fin_ = false;
  bool fin_emitted_ = false;
  bool handshake_done_ = false;
  bool handshake_emitted_ = false;
  bool reset_ = false;

  bool dead_ = false;
  bool closing_ = false;       // CONNECTION_CLOSE sent or received: no more writes
  bool draining_ = false;      // the peer's CONNECTION_CLOSE received (RFC 9000 §10.2.2)
  std::vector<uint8_t> close_packet_;  // the CONNECTION_CLOSE we sent, for the closing period
  sockaddr_storage close_to_{};        // where it went: the path in use then (after any rebinding)
  std::string pending_end_;    // an end raised inside a JS call, reported from the timer
  bool pending_end_graceful_ = false;
  bool has_pending_end_ = false;
};
