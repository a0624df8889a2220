// One UDP socket and the QUIC connections on it, driven entirely on Node's event-loop thread:
// packets are read in libuv's poll phase, decrypted and handed to JS in the same callback, and
// writes from JS are encrypted and sent before the call returns. That is the point of this addon:
// a QUIC leg costs one thread wake, as TCP does, instead of the three of a binding that runs its
// stack on a runtime thread of its own.
#pragma once

#include <gnutls/gnutls.h>
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <ngtcp2/ngtcp2.h>

#include "admission.h"
#include "cid-key.h"
#include "closed-ids.h"

class Connection;
class UdpSocket;

// What JS receives through its `emit(type, id, a, b)` callback.
enum EventType {
  kHandshake = 1,  // a: peer certificate (DER Buffer), b: remote "host:port"
  kData = 2,       // a: Buffer with the next bytes of the stream, b: bytes written not yet sent
  kFin = 3,        // the peer finished its side of the stream
  kClose = 4,      // a: reason (string), b: true when the peer closed without error
  kDrain = 5,      // every byte written has been put into packets
};

struct EndpointSettings {
  bool server = false;
  uint64_t idle_ns = 10ull * NGTCP2_SECONDS;
  uint64_t keep_alive_ns = 5ull * NGTCP2_SECONDS;
  uint64_t handshake_ns = 5ull * NGTCP2_SECONDS;
  // BBRv2, not CUBIC: ngtcp2 0.12's CUBIC (and Reno) stop growing the congestion window past
  // 2.89 x the highest delivery rate x the minimum RTT. On loopback or a LAN the minimum RTT is
  // ~0.2 ms, but a peer acknowledges only when its event loop reaches the socket, so under load
  // the real RTT is 3-8 ms and CUBIC stays near 42 KB a round trip: a subscriber in a busy
  // process fell ever further behind (docs/loss.md, "Slow consumers"). BBRv2 counts the data
  // acknowledged in bursts (its ack-aggregation allowance) and keeps up. It is also the line
  // ngtcp2 kept: later releases dropped BBRv1 and call BBRv2 plain BBR.
  ngtcp2_cc_algo cc_algo = NGTCP2_CC_ALGO_BBR2;
  AdmissionLimits limits;
};

class Endpoint : public Napi::ObjectWrap<Endpoint> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Endpoint(const Napi::CallbackInfo& info);
  ~Endpoint() override;

  // For connections.
  const EndpointSettings& settings() const { return settings_; }
  gnutls_certificate_credentials_t credentials() const { return credentials_; }
  const uint8_t* reset_secret() const { return reset_secret_; }
  bool in_js_call() const { return js_depth_ > 0; }
  // The event loop of the JS environment that made this endpoint (a worker thread has its own).
  uv_loop_t* loop() const { return loop_; }
  // Room for one outgoing datagram, then queue it; FlushSends sends the queue unless a batch of
  // reads is being processed (then it goes out once, after the batch).
  uint8_t* SendSlot();
  void CommitSend(size_t len, const ngtcp2_addr& remote);
  void FlushSends();
  void AddCid(const ngtcp2_cid& cid, Connection* conn);
  void RemoveCid(const ngtcp2_cid& cid);
  // A server connection finished its handshake: it no longer counts as half-open.
  void Established(Connection* conn);
  void Forget(Connection* conn);
  // A connection ended: its ids answer (closing) or swallow (draining) late packets for
  // `period_ns` (closed-ids.h). Call before Forget.
  void Retire(Connection* conn, std::vector<uint8_t> close_packet, const sockaddr_storage& peer,
              uint64_t period_ns);
  void Emit(EventType type, uint32_t id, napi_value a, napi_value b);
  Napi::Env env() { return Env(); }

 private:
  Napi::Value Port(const Napi::CallbackInfo& info);
  Napi::Value Dial(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Rtt(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value ConnStats(const Napi::CallbackInfo& info);

  Connection* Find(const Napi::CallbackInfo& info);
  void OnPacket(const sockaddr* from, const uint8_t* data, size_t len);
  // An Initial for no known connection: Retry, refuse or open one (admission.h).
  Connection* Admit(const sockaddr* from, const uint8_t* data, size_t len);
  // After a flood, hands the memory of the connections freed back to the system.
  void MaybeTrim();
  static void OnReadable(void* self);
  void CloseSocket();

  EndpointSettings settings_;
  uv_loop_t* loop_ = nullptr;
  gnutls_certificate_credentials_t credentials_ = nullptr;
  uint8_t reset_secret_[32];
  // Owns itself once closed: libuv needs it until its close callback, which may come after
  // ~Endpoint (a constructor that throws).
  UdpSocket* socket_ = nullptr;
  bool batching_ = false;
  uint8_t scratch_[2048];  // where packets go once the socket is closed
  // Connections that read packets in the current batch: they deliver and answer once, after it.
  std::vector<Connection*> touched_;
  sockaddr_storage local_{};
  int js_depth_ = 0;
  uint32_t next_id_ = 1;
  std::unordered_map<CidKey, Connection*, CidKeyHash> by_cid_;
  ClosedIds closed_;
  std::unique_ptr<Admission> admission_;  // servers only
  size_t peak_since_trim_ = 0;
  std::unordered_map<uint32_t, Connection*> by_id_;
  Napi::FunctionReference emit_;
  Napi::ObjectReference self_;
  std::unique_ptr<Napi::AsyncContext> async_;

  friend class JsCall;
};

// Marks a call from JS into the endpoint: events raised inside it are deferred, never re-entering
// JS from within JS.
class JsCall {
 public:
  explicit JsCall(Endpoint* ep) : ep_(ep) { ep_->js_depth_++; }
  ~JsCall() { ep_->js_depth_--; }

 private:
  Endpoint* ep_;
};
