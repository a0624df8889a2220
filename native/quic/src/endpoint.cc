#include "endpoint.h"

#include <gnutls/crypto.h>

#include <cstring>
#include <vector>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "connection.h"
#include "udp-socket.h"

namespace {

// Batches read per readable event before other handles get their turn.
const int kMaxBatches = 8;

// Connections held at the peak of a flood from which, once most are gone, memory is trimmed.
const size_t kTrimAfterPeak = 256;

uint32_t U32(const Napi::Object& o, const char* key, uint32_t fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : fallback;
}

uint64_t MsToNs(const Napi::Object& o, const char* key, uint64_t fallback) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return fallback;
  return static_cast<uint64_t>(v.As<Napi::Number>().DoubleValue() * NGTCP2_MILLISECONDS);
}

// "cubic", "bbr" or "bbr2"; absent: the default of EndpointSettings.
ngtcp2_cc_algo CongestionControl(Napi::Env env, const Napi::Object& o, ngtcp2_cc_algo fallback) {
  Napi::Value v = o.Get("congestionControl");
  if (v.IsUndefined()) return fallback;
  std::string name = v.ToString();
  if (name == "cubic") return NGTCP2_CC_ALGO_CUBIC;
  if (name == "bbr") return NGTCP2_CC_ALGO_BBR;
  if (name == "bbr2") return NGTCP2_CC_ALGO_BBR2;
  throw Napi::TypeError::New(env, "congestionControl: expected cubic, bbr or bbr2, got " + name);
}

int ParseAddress(const std::string& host, int port, sockaddr_storage* out) {
  memset(out, 0, sizeof *out);
  if (host.find(':') != std::string::npos)
    return uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(out));
  return uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(out));
}

}  // namespace

Napi::Function Endpoint::Define(Napi::Env env) {
  return DefineClass(env, "Endpoint",
                     {InstanceMethod("port", &Endpoint::Port),
                      InstanceMethod("dial", &Endpoint::Dial),
                      InstanceMethod("write", &Endpoint::Write),
                      InstanceMethod("finish", &Endpoint::Finish),
                      InstanceMethod("close", &Endpoint::Close),
                      InstanceMethod("rtt", &Endpoint::Rtt),
                      InstanceMethod("shutdown", &Endpoint::Shutdown),
                      InstanceMethod("stats", &Endpoint::Stats),
                      InstanceMethod("connStats", &Endpoint::ConnStats)});
}

// new Endpoint({ server, host, port, certPem, keyPem, idleMs, keepAliveMs, handshakeMs,
//                congestionControl, retryAbove, maxHalfOpen, maxHalfOpenPerAddress, maxConnections }, emit)
Endpoint::Endpoint(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Endpoint>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    throw Napi::TypeError::New(env, "Endpoint(options, emit): expected an object and a function");
  Napi::Object o = info[0].As<Napi::Object>();
  if (napi_get_uv_event_loop(env, &loop_) != napi_ok)
    throw Napi::Error::New(env, "no event loop for this environment");
  settings_.server = o.Get("server").ToBoolean();
  settings_.idle_ns = MsToNs(o, "idleMs", settings_.idle_ns);
  settings_.keep_alive_ns = MsToNs(o, "keepAliveMs", settings_.keep_alive_ns);
  settings_.handshake_ns = MsToNs(o, "handshakeMs", settings_.handshake_ns);
  settings_.cc_algo = CongestionControl(env, o, settings_.cc_algo);
  AdmissionLimits& l = settings_.limits;
  l.retry_above = U32(o, "retryAbove", l.retry_above);
  l.max_half_open = U32(o, "maxHalfOpen", l.max_half_open);
  l.max_half_open_per_address = U32(o, "maxHalfOpenPerAddress", l.max_half_open_per_address);
  l.max_connections = U32(o, "maxConnections", l.max_connections);
  if (settings_.server) admission_ = std::make_unique<Admission>(l);
  std::string host = o.Get("host").ToString();
  int port = o.Get("port").ToNumber().Int32Value();
  std::string cert = o.Get("certPem").ToString();
  std::string key = o.Get("keyPem").ToString();
  emit_ = Napi::Persistent(info[1].As<Napi::Function>());
  async_ = std::make_unique<Napi::AsyncContext>(env, "CortexIqQuic");
  gnutls_rnd(GNUTLS_RND_RANDOM, reset_secret_, sizeof reset_secret_);

  int rv = gnutls_certificate_allocate_credentials(&credentials_);
  if (rv == 0) {
    gnutls_datum_t c{reinterpret_cast<unsigned char*>(cert.data()),
                     static_cast<unsigned>(cert.size())};
    gnutls_datum_t k{reinterpret_cast<unsigned char*>(key.data()),
                     static_cast<unsigned>(key.size())};
    rv = gnutls_certificate_set_x509_key_mem2(credentials_, &c, &k, GNUTLS_X509_FMT_PEM, nullptr,
                                              0);
  }
  if (rv < 0) throw Napi::Error::New(env, std::string("certificate: ") + gnutls_strerror(rv));

  sockaddr_storage bind_addr;
  if ((rv = ParseAddress(host, port, &bind_addr)) != 0)
    throw Napi::Error::New(env, "bad address " + host + ": " + uv_strerror(rv));
  self_ = Napi::Persistent(info.This().As<Napi::Object>());  // alive while the socket is
  rv = UdpSocket::Open(loop_, reinterpret_cast<sockaddr*>(&bind_addr), this, OnReadable, &socket_);
  if (rv == 0) rv = socket_->LocalAddress(&local_);
  if (rv != 0) {
    // A constructor that throws gets no destructor: nothing may point back at this object.
    self_.Reset();
    CloseSocket();
    gnutls_certificate_free_credentials(credentials_);
    credentials_ = nullptr;
    throw Napi::Error::New(env, "udp " + host + ":" + std::to_string(port) + ": " + uv_strerror(rv));
  }
}

Endpoint::~Endpoint() {
  if (credentials_) gnutls_certificate_free_credentials(credentials_);
}

void Endpoint::OnReadable(void* ctx) {
  auto* self = static_cast<Endpoint*>(ctx);
  self->batching_ = true;
  for (int i = 0; i < kMaxBatches && self->socket_; i++) {
    size_t n = self->socket_->ReadBatch(self, [](void* ep, const sockaddr* from, const uint8_t* data,
                                                 size_t len) {
      static_cast<Endpoint*>(ep)->OnPacket(from, data, len);
    });
    if (n < UdpSocket::kReadBatch) break;
  }
  self->batching_ = false;
  // Each connection hands what it read to JS once and answers (ACKs, data) once per batch.
  std::vector<Connection*> touched;
  touched.swap(self->touched_);
  for (Connection* conn : touched) {
    conn->touched = false;
    if (!conn->dead()) conn->Settle();
  }
  self->FlushSends();
}

void Endpoint::OnPacket(const sockaddr* from, const uint8_t* data, size_t len) {
  ngtcp2_version_cid vc;
  if (ngtcp2_pkt_decode_version_cid(&vc, data, len, Connection::kScidLen) != 0) return;
  auto it = by_cid_.find(CidKey(vc.dcid, vc.dcidlen));
  Connection* conn = it != by_cid_.end() ? it->second : nullptr;
  if (!conn) {
    const std::vector<uint8_t>* resend;
    const sockaddr_storage* to;
    if (closed_.Take(CidKey(vc.dcid, vc.dcidlen), uv_hrtime(), &resend, &to)) {
      if (resend) {
        memcpy(SendSlot(), resend->data(), resend->size());
        ngtcp2_addr peer{const_cast<sockaddr*>(reinterpret_cast<const sockaddr*>(to)),
                         SockaddrLen(reinterpret_cast<const sockaddr*>(to))};
        CommitSend(resend->size(), peer);
      }
      return;
    }
    if (!(conn = Admit(from, data, len))) return;
  }
  conn->Receive(from, data, len);
  if (!conn->dead() && !conn->touched) {
    conn->touched = true;
    touched_.push_back(conn);
  }
}

Connection* Endpoint::Admit(const sockaddr* from, const uint8_t* data, size_t len) {
  if (!admission_) return nullptr;
  ngtcp2_pkt_hd hd;
  int rv = ngtcp2_accept(&hd, data, len);
  if (rv != 0 && rv != NGTCP2_ERR_RETRY) return nullptr;  // not an Initial that opens a connection
  ngtcp2_cid odcid;
  bool validated = false;
  switch (admission_->Check(hd, from, &odcid, &validated)) {
    case Admission::kRetry: {
      // Stateless: the token carries what the next Initial needs (RFC 9000 §8.1.2).
      uint8_t* slot = SendSlot();
      size_t n = admission_->WriteRetry(slot, UdpSocket::kMaxDatagram, hd, from, uv_hrtime());
      if (n > 0) {
        ngtcp2_addr to{const_cast<sockaddr*>(from), SockaddrLen(from)};
        CommitSend(n, to);
      }
      return nullptr;
    }
    case Admission::kRefuse:
    case Admission::kDrop:
      return nullptr;
    case Admission::kAccept:
      break;
  }
  uint32_t id = next_id_++;
  auto* conn = new Connection(this, id, local_, from);
  by_id_[id] = conn;
  admission_->Opened(conn->origin());
  conn->half_open = true;
  if (by_id_.size() > peak_since_trim_) peak_since_trim_ = by_id_.size();
  if (conn->StartServer(hd, validated ? &odcid : nullptr) != 0) {
    conn->Die();
    return nullptr;
  }
  return conn;
}

void Endpoint::Established(Connection* conn) {
  if (!conn->half_open || !admission_) return;
  conn->half_open = false;
  admission_->Established(conn->origin());
}

void Endpoint::MaybeTrim() {
  if (peak_since_trim_ < kTrimAfterPeak || by_id_.size() * 4 > peak_since_trim_) return;
  peak_since_trim_ = by_id_.size();
#ifdef __GLIBC__
  // glibc keeps freed heap for reuse; after thousands of half-open connections are gone that is
  // hundreds of MB the process would otherwise keep for good.
  malloc_trim(0);
#endif
}

uint8_t* Endpoint::SendSlot() { return socket_ ? socket_->Slot() : scratch_; }

void Endpoint::CommitSend(size_t len, const ngtcp2_addr& remote) {
  if (socket_) socket_->Commit(len, remote.addr);
}

void Endpoint::FlushSends() {
  if (socket_ && !batching_) socket_->Flush();
}

void Endpoint::CloseSocket() {
  if (!socket_) return;
  socket_->Close();
  socket_ = nullptr;
}

void Endpoint::AddCid(const ngtcp2_cid& cid, Connection* conn) {
  CidKey key(cid);
  by_cid_[key] = conn;
  conn->cids.push_back(key);
}

void Endpoint::RemoveCid(const ngtcp2_cid& cid) {
  CidKey key(cid);
  auto it = by_cid_.find(key);
  if (it == by_cid_.end()) return;
  auto& cids = it->second->cids;
  for (size_t i = 0; i < cids.size(); i++) {
    if (cids[i] == key) {
      cids[i] = cids.back();
      cids.pop_back();
      break;
    }
  }
  by_cid_.erase(it);
}

void Endpoint::Retire(Connection* conn, std::vector<uint8_t> close_packet,
                      const sockaddr_storage& peer, uint64_t period_ns) {
  uint64_t now = uv_hrtime();
  closed_.Add(conn->cids, std::move(close_packet), peer, now + period_ns, now);
}

// Its own ids only: a scan of every id of every connection made closing thousands of half-open
// connections after a flood quadratic.
void Endpoint::Forget(Connection* conn) {
  by_id_.erase(conn->id());
  for (const CidKey& key : conn->cids) {
    auto it = by_cid_.find(key);
    if (it != by_cid_.end() && it->second == conn) by_cid_.erase(it);
  }
  conn->cids.clear();
  if (admission_) {
    admission_->Closed(conn->origin(), conn->half_open);
    conn->half_open = false;
  }
  MaybeTrim();
}

void Endpoint::Emit(EventType type, uint32_t id, napi_value a, napi_value b) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  napi_value args[4] = {Napi::Number::New(env, type), Napi::Number::New(env, id),
                        a ? a : env.Undefined(), b ? b : env.Undefined()};
  try {
    // MakeCallback, not Call: the microtasks and nextTicks that the handler queued run before
    // control returns here, as after any other I/O callback.
    emit_.MakeCallback(self_.Value(), 4, args, *async_);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env, e.Value());
  }
}

Connection* Endpoint::Find(const Napi::CallbackInfo& info) {
  auto it = by_id_.find(info[0].As<Napi::Number>().Uint32Value());
  return it == by_id_.end() ? nullptr : it->second;
}

Napi::Value Endpoint::Port(const Napi::CallbackInfo& info) {
  int port = local_.ss_family == AF_INET6
                 ? ntohs(reinterpret_cast<sockaddr_in6*>(&local_)->sin6_port)
                 : ntohs(reinterpret_cast<sockaddr_in*>(&local_)->sin_port);
  return Napi::Number::New(info.Env(), port);
}

// dial(ipLiteral, port) -> connection id; the handshake event says when it is up.
Napi::Value Endpoint::Dial(const Napi::CallbackInfo& info) {
  JsCall guard(this);
  Napi::Env env = info.Env();
  std::string host = info[0].ToString();
  int port = info[1].ToNumber().Int32Value();
  sockaddr_storage remote;
  int rv = ParseAddress(host, port, &remote);
  if (rv != 0) throw Napi::Error::New(env, "bad address " + host + ": " + uv_strerror(rv));
  uint32_t id = next_id_++;
  auto* conn = new Connection(this, id, local_, reinterpret_cast<sockaddr*>(&remote));
  by_id_[id] = conn;
  if ((rv = conn->StartClient()) != 0) {
    conn->Die();
    throw Napi::Error::New(env, std::string("quic connect: ") + ngtcp2_strerror(rv));
  }
  return Napi::Number::New(env, id);
}

// write(id, bytes) -> bytes still waiting to go into packets (0 when the connection is gone)
Napi::Value Endpoint::Write(const Napi::CallbackInfo& info) {
  JsCall guard(this);
  Connection* conn = Find(info);
  uint64_t left = 0;
  if (conn) {
    // An array of chunks is appended in order and written once: the caller's queued frames are
    // copied here only, not first joined into one buffer in JavaScript.
    if (info[1].IsArray()) {
      auto chunks = info[1].As<Napi::Array>();
      for (uint32_t i = 0, n = chunks.Length(); i < n; i++) {
        auto bytes = chunks.Get(i).As<Napi::Uint8Array>();
        conn->Append(bytes.Data(), bytes.ByteLength());
      }
      left = conn->WriteAppended();
    } else {
      auto bytes = info[1].As<Napi::Uint8Array>();
      left = conn->Write(bytes.Data(), bytes.ByteLength());
    }
    FlushSends();
  }
  return Napi::Number::New(info.Env(), static_cast<double>(left));
}

Napi::Value Endpoint::Finish(const Napi::CallbackInfo& info) {
  JsCall guard(this);
  if (Connection* conn = Find(info)) conn->Finish();
  FlushSends();
  return info.Env().Undefined();
}

// close(id, code, reason): CONNECTION_CLOSE at once; no event follows.
Napi::Value Endpoint::Close(const Napi::CallbackInfo& info) {
  JsCall guard(this);
  if (Connection* conn = Find(info))
    conn->CloseNow(info[1].ToNumber().Int64Value(), info[2].ToString());
  FlushSends();
  return info.Env().Undefined();
}

Napi::Value Endpoint::Rtt(const Napi::CallbackInfo& info) {
  Connection* conn = Find(info);
  return Napi::Number::New(info.Env(), conn ? conn->RttMs() : -1);
}

// stats() -> { sendBacklogged, sendDropped (datagrams kept for a full send buffer / dropped),
//              and for a listener its admission counters: initials, retries, badTokens,
//              refusedHalfOpen, refusedPerAddress, refusedConnections, halfOpen, connections }
Napi::Value Endpoint::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (socket_) {
    o.Set("sendBacklogged", Napi::Number::New(env, static_cast<double>(socket_->backlogged())));
    o.Set("sendDropped", Napi::Number::New(env, static_cast<double>(socket_->dropped())));
  }
  if (!admission_) return o;
  const AdmissionStats& s = admission_->stats();
  o.Set("initials", Napi::Number::New(env, static_cast<double>(s.initials)));
  o.Set("retries", Napi::Number::New(env, static_cast<double>(s.retries)));
  o.Set("badTokens", Napi::Number::New(env, static_cast<double>(s.bad_tokens)));
  o.Set("refusedHalfOpen", Napi::Number::New(env, static_cast<double>(s.refused_half_open)));
  o.Set("refusedPerAddress", Napi::Number::New(env, static_cast<double>(s.refused_per_address)));
  o.Set("refusedConnections", Napi::Number::New(env, static_cast<double>(s.refused_connections)));
  o.Set("halfOpen", Napi::Number::New(env, admission_->half_open()));
  o.Set("connections", Napi::Number::New(env, admission_->connections()));
  return o;
}

// connStats(id) -> the send side of one connection (Connection::Stats), or undefined.
Napi::Value Endpoint::ConnStats(const Napi::CallbackInfo& info) {
  Connection* conn = Find(info);
  if (!conn) return info.Env().Undefined();
  return conn->Stats(info.Env());
}

// shutdown(): closes every connection (no events) and the socket.
Napi::Value Endpoint::Shutdown(const Napi::CallbackInfo& info) {
  JsCall guard(this);
  std::vector<Connection*> all;
  for (auto& entry : by_id_) all.push_back(entry.second);
  for (Connection* conn : all) conn->CloseNow(0, "endpoint closed");
  if (socket_) {
    socket_->Flush();  // the CONNECTION_CLOSE packets just queued
    CloseSocket();
    self_.Reset();  // the JS object may be collected now
  }
  return info.Env().Undefined();
}
