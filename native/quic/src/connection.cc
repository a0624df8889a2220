#include "connection.h"

#include <algorithm>

#include <arpa/inet.h>
#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <cstring>

#include "endpoint.h"
#include "udp-socket.h"

namespace {

// TLS 1.3 only, as QUIC requires; the groups and ciphers of ngtcp2's own GnuTLS examples.
const char kPriority[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "+AES-128-CCM:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:"
    "%DISABLE_TLS13_COMPAT_MODE";
// libp2p's ALPN, so that quinn-based libp2p peers and this stack speak to each other.
const char kAlpn[] = "libp2p";
const size_t kMaxPacket = 1500;
// Receive windows: what a peer may have in flight, and so what its sender keeps in memory until
// acknowledged. 1 MiB per stream is ~1 GB/s at a 1 ms round trip; auto-tuning may double it.
const uint64_t kStreamWindow = 1ull << 20;
const uint64_t kConnWindow = 3ull << 19;

ngtcp2_tstamp Now() { return uv_hrtime(); }

const uint64_t kMinClosingNs = 2'000'000'000;  // 2 s

}  // namespace

Connection::Connection(Endpoint* ep, uint32_t id, const sockaddr_storage& local,
                       const sockaddr* remote)
    : ep_(ep), id_(id), local_(local) {
  memset(&remote_, 0, sizeof remote_);
  memcpy(&remote_, remote, SockaddrLen(remote));
  origin_ = AddressOf(remote);
  path_.local.addr = reinterpret_cast<sockaddr*>(&local_);
  path_.local.addrlen = SockaddrLen(path_.local.addr);
  path_.remote.addr = reinterpret_cast<sockaddr*>(&remote_);
  path_.remote.addrlen = SockaddrLen(path_.remote.addr);
  path_.user_data = nullptr;
  ref_.get_conn = GetConn;
  ref_.user_data = this;
  uv_timer_init(ep->loop(), &timer_);
  timer_.data = this;
}

Connection::~Connection() {
  if (conn_) ngtcp2_conn_del(conn_);
  if (tls_) gnutls_deinit(tls_);
}

ngtcp2_conn* Connection::GetConn(ngtcp2_crypto_conn_ref* ref) {
  return static_cast<Connection*>(ref->user_data)->conn_;
}

void Connection::OnRand(uint8_t* dest, size_t len, const ngtcp2_rand_ctx*) {
  gnutls_rnd(GNUTLS_RND_RANDOM, dest, len);
}

void Connection::FillCallbacks(ngtcp2_callbacks* cb, bool server) {
  memset(cb, 0, sizeof *cb);
  if (server) {
    cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  } else {
    cb->client_initial = ngtcp2_crypto_client_initial_cb;
    cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
  }
  cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  cb->encrypt = ngtcp2_crypto_encrypt_cb;
  cb->decrypt = ngtcp2_crypto_decrypt_cb;
  cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb->update_key = ngtcp2_crypto_update_key_cb;
  cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb->rand = OnRand;
  cb->get_new_connection_id = OnNewCid;
  cb->remove_connection_id = OnRemoveCid;
  cb->recv_stream_data = OnStreamData;
  cb->acked_stream_data_offset = OnAcked;
  cb->stream_open = OnStreamOpen;
  cb->stream_reset = OnStreamReset;
  cb->handshake_completed = OnHandshakeCompleted;
}

void Connection::FillSettings(ngtcp2_settings* s) {
  ngtcp2_settings_default(s);
  s->initial_ts = Now();
  s->handshake_timeout = ep_->settings().handshake_ns;
  s->cc_algo = ep_->settings().cc_algo;
  s->max_window = 2 * kConnWindow;
  s->max_stream_window = 2 * kStreamWindow;
}

void Connection::FillParams(ngtcp2_transport_params* p, bool server) {
  ngtcp2_transport_params_default(p);
  p->initial_max_stream_data_bidi_local = kStreamWindow;
  p->initial_max_stream_data_bidi_remote = kStreamWindow;
  p->initial_max_data = kConnWindow;
  // The listener lets its peer open the one stream; the dialer accepts none.
  p->initial_max_streams_bidi = server ? 1 : 0;
  p->initial_max_streams_uni = 0;
  p->max_idle_timeout = ep_->settings().idle_ns;
}

int Connection::StartTls(bool server) {
  int rv = gnutls_init(&tls_, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_ENABLE_EARLY_DATA |
                                  GNUTLS_NO_END_OF_EARLY_DATA);
  if (rv != 0) return rv;
  if ((rv = gnutls_priority_set_direct(tls_, kPriority, nullptr)) != 0) return rv;
  rv = server ? ngtcp2_crypto_gnutls_configure_server_session(tls_)
              : ngtcp2_crypto_gnutls_configure_client_session(tls_);
  if (rv != 0) return rv;
  gnutls_session_set_ptr(tls_, &ref_);
  if ((rv = gnutls_credentials_set(tls_, GNUTLS_CRD_CERTIFICATE, ep_->credentials())) != 0)
    return rv;
  gnutls_datum_t alpn{reinterpret_cast<unsigned char*>(const_cast<char*>(kAlpn)),
                      sizeof kAlpn - 1};
  if ((rv = gnutls_alpn_set_protocols(tls_, &alpn, 1, GNUTLS_ALPN_MANDATORY)) != 0) return rv;
  // Both sides present a certificate (libp2p TLS is mutual); JS verifies it after the
  // handshake, GnuTLS only checks that the peer holds its key.
  if (server) gnutls_certificate_server_set_request(tls_, GNUTLS_CERT_REQUIRE);
  ngtcp2_conn_set_tls_native_handle(conn_, tls_);
  return 0;
}

int Connection::Attach(const ngtcp2_cid& scid, bool server) {
  int rv = StartTls(server);
  if (rv != 0) return rv;
  ngtcp2_conn_set_keep_alive_timeout(conn_, ep_->settings().keep_alive_ns);
  ep_->AddCid(scid, this);
  return 0;
}

int Connection::StartClient() {
  server_ = false;
  ngtcp2_cid dcid, scid;
  dcid.datalen = 18;
  scid.datalen = kScidLen;
  gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen);
  gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
  ngtcp2_callbacks cb;
  ngtcp2_settings settings;
  ngtcp2_transport_params params;
  FillCallbacks(&cb, false);
  FillSettings(&settings);
  FillParams(&params, false);
  int rv = ngtcp2_conn_client_new(&conn_, &dcid, &scid, &path_, NGTCP2_PROTO_VER_V1, &cb,
                                  &settings, &params, nullptr, this);
  if (rv != 0 || (rv = Attach(scid, false)) != 0) return rv;
  WriteLoop();
  return 0;
}

int Connection::StartServer(const ngtcp2_pkt_hd& hd, const ngtcp2_cid* odcid) {
  server_ = true;
  ngtcp2_cid scid;
  scid.datalen = kScidLen;
  gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
  ngtcp2_callbacks cb;
  ngtcp2_settings settings;
  ngtcp2_transport_params params;
  FillCallbacks(&cb, true);
  FillSettings(&settings);
  FillParams(&params, true);
  params.original_dcid = odcid ? *odcid : hd.dcid;
  if (odcid) {
    // RFC 9000 §7.3: the Retry's source id goes back in the transport parameters; the verified
    // token tells ngtcp2 the address is validated, so the amplification limit no longer applies.
    params.retry_scid = hd.dcid;
    params.retry_scid_present = 1;
    settings.token = hd.token;
  }
  params.stateless_reset_token_present = 1;
  ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, ep_->reset_secret(),
                                               32, &scid);
  int rv = ngtcp2_conn_server_new(&conn_, &hd.scid, &scid, &path_, hd.version, &cb, &settings,
                                  &params, nullptr, this);
  if (rv != 0 || (rv = Attach(scid, true)) != 0) return rv;
  // The client keeps using the id it chose until our first packet reaches it.
  ep_->AddCid(hd.dcid, this);
  return 0;
}

// ---- ngtcp2 callbacks (inside ngtcp2_conn_read_pkt / writev_stream) ----

int Connection::OnStreamData(ngtcp2_conn* conn, uint32_t flags, int64_t stream_id, uint64_t,
                             const uint8_t* data, size_t len, void* user, void*) {
  auto* self = static_cast<Connection*>(user);
  // Flow control is the application's: the bytes are taken now, so the window moves at once.
  ngtcp2_conn_extend_max_stream_offset(conn, stream_id, len);
  ngtcp2_conn_extend_max_offset(conn, len);
  if (stream_id != self->stream_id_) return 0;
  self->rx_.insert(self->rx_.end(), data, data + len);
  if (flags & NGTCP2_STREAM_DATA_FLAG_FIN) self->rx_fin_ = true;
  return 0;
}

int Connection::OnAcked(ngtcp2_conn*, int64_t stream_id, uint64_t offset, uint64_t len,
                        void* user, void*) {
  auto* self = static_cast<Connection*>(user);
  if (stream_id == self->stream_id_) self->send_.Acked(offset + len);
  return 0;
}

int Connection::OnStreamOpen(ngtcp2_conn*, int64_t stream_id, void* user) {
  auto* self = static_cast<Connection*>(user);
  // Bit 0 clear: opened by the client; bit 1 clear: bidirectional.
  if (self->server_ && self->stream_id_ < 0 && (stream_id & 3) == 0) self->stream_id_ = stream_id;
  return 0;
}

int Connection::OnStreamReset(ngtcp2_conn*, int64_t stream_id, uint64_t, uint64_t, void* user,
                              void*) {
  auto* self = static_cast<Connection*>(user);
  if (stream_id == self->stream_id_) self->reset_ = true;
  return 0;
}

int Connection::OnHandshakeCompleted(ngtcp2_conn*, void* user) {
  static_cast<Connection*>(user)->handshake_done_ = true;
  return 0;
}

int Connection::OnNewCid(ngtcp2_conn*, ngtcp2_cid* cid, uint8_t* token, size_t cidlen,
                         void* user) {
  auto* self = static_cast<Connection*>(user);
  cid->datalen = cidlen;
  gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen);
  if (ngtcp2_crypto_generate_stateless_reset_token(token, self->ep_->reset_secret(), 32, cid) != 0)
    return NGTCP2_ERR_CALLBACK_FAILURE;
  self->ep_->AddCid(*cid, self);
  return 0;
}

int Connection::OnRemoveCid(ngtcp2_conn*, const ngtcp2_cid* cid, void* user) {
  static_cast<Connection*>(user)->ep_->RemoveCid(*cid);
  return 0;
}

// ---- reading ----

void Connection::Receive(const sockaddr* from, const uint8_t* data, size_t len) {
  if (dead_ || closing_) return;
  ngtcp2_pkt_info pi{};
  ngtcp2_path path = path_;
  path.remote.addr = const_cast<sockaddr*>(from);
  path.remote.addrlen = SockaddrLen(from);
  int rv = ngtcp2_conn_read_pkt(conn_, &path, &pi, data, len, Now());
  if (rv == NGTCP2_ERR_DRAINING) {
    // The peer closed the connection: what it said is the reason.
    ngtcp2_connection_close_error ccerr;
    ngtcp2_conn_get_connection_close_error(conn_, &ccerr);
    closing_ = true;
    draining_ = true;
    AfterRead();  // bytes that came in the same packet are still delivered
    if (dead_) return;
    std::string reason(reinterpret_cast<const char*>(ccerr.reason), ccerr.reasonlen);
    bool graceful = ccerr.error_code == 0;
    if (!graceful)
      reason = "peer closed the connection (code " + std::to_string(ccerr.error_code) +
               (reason.empty() ? "" : ": " + reason) + ")";
    EndWith(reason, graceful);
    return;
  }
  if (rv == NGTCP2_ERR_DROP_CONN) {
    closing_ = true;
    EndWith("connection dropped", false);
    return;
  }
  if (rv != 0) Fail(rv, handshake_done_ ? "bad packet" : "handshake failed");
}

void Connection::Settle() {
  if (dead_) return;
  AfterRead();
  if (!dead_) WriteLoop();
}

void Connection::AfterRead() {
  napi_env env = ep_->env();
  if (handshake_done_ && !handshake_emitted_) {
    handshake_emitted_ = true;
    ep_->Established(this);
    if (!server_) {
      if (ngtcp2_conn_open_bidi_stream(conn_, &stream_id_, nullptr) != 0) {
        Fail(NGTCP2_ERR_INTERNAL, "the listener allows no stream");
        return;
      }
    }
    Napi::HandleScope scope(env);
    unsigned count = 0;
    const gnutls_datum_t* certs = gnutls_certificate_get_peers(tls_, &count);
    Napi::Value cert = count > 0 ? Napi::Buffer<uint8_t>::Copy(env, certs[0].data, certs[0].size)
                                 : Napi::Env(env).Undefined();
    ep_->Emit(kHandshake, id_, cert, Napi::String::New(env, RemoteText()));
    if (dead_) return;
  }
  if (!rx_.empty()) {
    Napi::HandleScope scope(env);
    auto chunk = Napi::Buffer<uint8_t>::Copy(env, rx_.data(), rx_.size());
    rx_.clear();
    // A burst can leave a large buffer behind; an idle connection should not keep it.
    if (rx_.capacity() > 256 * 1024) std::vector<uint8_t>().swap(rx_);
    // With the bytes still unsent: what JS counts as pending is otherwise only refreshed by a
    // write or a drain, and a write's figure goes stale as acknowledgements let more out.
    ep_->Emit(kData, id_, chunk,
              Napi::Number::New(env, static_cast<double>(send_.unsent_bytes())));
    if (dead_) return;
  }
  if (rx_fin_ && !fin_emitted_) {
    fin_emitted_ = true;
    ep_->Emit(kFin, id_, nullptr, nullptr);
    if (dead_) return;
  }
  if (reset_ && !closing_) {
    Fail(NGTCP2_ERR_INTERNAL, "the peer reset the stream");
  }
}

// ---- writing ----

uint64_t Connection::Write(const uint8_t* data, size_t len) {
  Append(data, len);
  return WriteAppended();
}

void Connection::Append(const uint8_t* data, size_t len) {
  if (dead_ || closing_ || fin_wanted_) return;
  send_.Push(data, len);
}

uint64_t Connection::WriteAppended() {
  if (dead_ || closing_ || fin_wanted_) return 0;
  WriteLoop();
  if (send_.unsent_bytes() > 0) drain_wanted_ = true;
  return send_.unsent_bytes();
}

void Connection::Finish() {
  if (dead_ || closing_ || fin_wanted_) return;
  fin_wanted_ = true;
  WriteLoop();
}

void Connection::WriteLoop() {
  if (dead_ || closing_) return;
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi;
  ngtcp2_tstamp ts = Now();
  size_t max_udp = ngtcp2_conn_get_max_tx_udp_payload_size(conn_);
  if (max_udp > kMaxPacket) max_udp = kMaxPacket;
  // No pacing: libuv timers have a 1 ms resolution, and a pacing gap of a few µs rounded up to
  // 1 ms starved fast paths (loopback, a LAN). Congestion control still bounds what is in
  // flight, and acknowledgements clock the rest out. A bound keeps one call from running long.
  const size_t max_packets = 1024;
  bool stream_blocked = false;
  for (size_t sent = 0; sent < max_packets;) {
    ngtcp2_vec vec[16];
    size_t vcnt = 0;
    int64_t sid = -1;
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    if (stream_id_ >= 0 && !stream_blocked) {
      vcnt = send_.Unsent(vec, 16);
      bool fin_now = fin_wanted_ && !fin_sent_ && send_.unsent_bytes() <= [&] {
        uint64_t n = 0;
        for (size_t i = 0; i < vcnt; i++) n += vec[i].len;
        return n;
      }();
      if (fin_now) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
      if (vcnt > 0 || fin_now) sid = stream_id_;
    }
    ngtcp2_ssize datalen = -1;
    uint8_t* packet = ep_->SendSlot();
    ngtcp2_ssize n = ngtcp2_conn_writev_stream(conn_, &ps.path, &pi, packet, max_udp, &datalen,
                                               flags, sid, vcnt ? vec : nullptr, vcnt, ts);
    if (datalen > 0) send_.Sent(static_cast<uint64_t>(datalen));
    if (datalen >= 0 && (flags & NGTCP2_WRITE_STREAM_FLAG_FIN) &&
        send_.unsent_bytes() == 0)
      fin_sent_ = true;
    if (n == NGTCP2_ERR_WRITE_MORE) continue;
    if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED || n == NGTCP2_ERR_STREAM_SHUT_WR ||
        n == NGTCP2_ERR_STREAM_NOT_FOUND) {
      stream_blocked = true;
      continue;
    }
    if (n < 0) {
      Fail(static_cast<int>(n), "write failed");
      return;
    }
    if (n == 0) break;
    ep_->CommitSend(static_cast<size_t>(n), ps.path.remote);
    sent++;
  }
  ep_->FlushSends();
  ArmTimer();
  if (drain_wanted_ && send_.unsent_bytes() == 0 && !ep_->in_js_call()) {
    drain_wanted_ = false;
    ep_->Emit(kDrain, id_, nullptr, nullptr);
  }
}

void Connection::ArmTimer() {
  ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(conn_);
  if (expiry == UINT64_MAX) {
    uv_timer_stop(&timer_);
    return;
  }
  ngtcp2_tstamp now = Now();
  uint64_t ms = expiry <= now ? 0 : (expiry - now + NGTCP2_MILLISECONDS - 1) / NGTCP2_MILLISECONDS;
  uv_timer_start(&timer_, OnTimer, ms, 0);
}

void Connection::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  if (self->dead_) return;
  if (self->has_pending_end_) {
    self->has_pending_end_ = false;
    self->EndWith(self->pending_end_, self->pending_end_graceful_);
    return;
  }
  if (self->closing_) return;
  int rv = ngtcp2_conn_handle_expiry(self->conn_, Now());
  if (rv == NGTCP2_ERR_IDLE_CLOSE) {
    self->closing_ = true;
    self->EndWith("idle timeout (no packet from the peer)", false);
    return;
  }
  if (rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
    self->closing_ = true;
    self->EndWith("handshake timed out", false);
    return;
  }
  if (rv != 0) {
    self->Fail(rv, "timer");
    return;
  }
  self->WriteLoop();
}

// ---- ending ----

void Connection::SendClose(const ngtcp2_connection_close_error& ccerr) {
  if (!conn_ || ngtcp2_conn_is_in_closing_period(conn_) ||
      ngtcp2_conn_is_in_draining_period(conn_))
    return;
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi;
  uint8_t* packet = ep_->SendSlot();
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn_, &ps.path, &pi, packet, kMaxPacket,
                                                      &ccerr, Now());
  if (n > 0) {
    close_packet_.assign(packet, packet + n);
    memcpy(&close_to_, ps.path.remote.addr, ps.path.remote.addrlen);
    ep_->CommitSend(static_cast<size_t>(n), ps.path.remote);
  }
  ep_->FlushSends();
}

void Connection::CloseNow(uint64_t code, const std::string& reason) {
  if (dead_) return;
  if (!closing_) {
    closing_ = true;
    ngtcp2_connection_close_error ccerr;
    ngtcp2_connection_close_error_default(&ccerr);
    ngtcp2_connection_close_error_set_application_error(
        &ccerr, code, reinterpret_cast<const uint8_t*>(reason.data()), reason.size());
    SendClose(ccerr);
  }
  Die();
}

void Connection::Fail(int liberr, const std::string& what) {
  if (dead_) return;
  if (!closing_ && conn_) {
    closing_ = true;
    ngtcp2_connection_close_error ccerr;
    ngtcp2_connection_close_error_default(&ccerr);
    uint8_t alert = ngtcp2_conn_get_tls_alert(conn_);
    if (liberr == NGTCP2_ERR_CRYPTO && alert != 0)
      ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, alert, nullptr, 0);
    else
      ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, liberr, nullptr, 0);
    SendClose(ccerr);
  }
  EndWith(what + ": " + ngtcp2_strerror(liberr), false);
}

void Connection::EndWith(const std::string& reason, bool graceful) {
  if (dead_) return;
  closing_ = true;
  if (ep_->in_js_call()) {
    // Never call back into JS from inside a call from JS: report from the timer instead.
    pending_end_ = reason;
    pending_end_graceful_ = graceful;
    has_pending_end_ = true;
    uv_timer_start(&timer_, OnTimer, 0, 0);
    return;
  }
  {
    Napi::Env env(ep_->env());
    Napi::HandleScope scope(env);
    ep_->Emit(kClose, id_, Napi::String::New(env, reason), Napi::Boolean::New(env, graceful));
  }
  Die();
}

void Connection::Die() {
  if (dead_) return;
  dead_ = true;
  // Three PTOs of closing or draining (RFC 9000 §10.2), and at least kMinClosingNs: on loopback
  // a PTO is a few ms, shorter than a busy peer may take to send its next packet. A connection
  // that just went silent (idle or handshake timeout) has nothing to say and is forgotten at once.
  if (conn_ && (draining_ || !close_packet_.empty())) {
    const sockaddr_storage& peer = close_packet_.empty() ? remote_ : close_to_;
    uint64_t period = std::max<uint64_t>(3 * ngtcp2_conn_get_pto(conn_), kMinClosingNs);
    ep_->Retire(this, std::move(close_packet_), peer, period);
  }
  ep_->Forget(this);
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
           [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
}

double Connection::RttMs() const {
  ngtcp2_conn_stat stat;
  ngtcp2_conn_get_conn_stat(conn_, &stat);
  return static_cast<double>(stat.smoothed_rtt) / NGTCP2_MILLISECONDS;
}

Napi::Object Connection::Stats(Napi::Env env) const {
  Napi::Object o = Napi::Object::New(env);
  auto set = [&](const char* name, double v) { o.Set(name, Napi::Number::New(env, v)); };
  set("unsent", static_cast<double>(send_.unsent_bytes()));
  set("unacked", static_cast<double>(send_.unacked_bytes()));
  if (!conn_) return o;
  ngtcp2_conn_stat st;
  ngtcp2_conn_get_conn_stat(conn_, &st);
  set("cwnd", static_cast<double>(st.cwnd));
  set("bytesInFlight", static_cast<double>(st.bytes_in_flight));
  set("ssthresh", st.ssthresh == UINT64_MAX ? -1 : static_cast<double>(st.ssthresh));
  set("recoveryStartMsAgo", st.congestion_recovery_start_ts == UINT64_MAX
                                ? -1
                                : static_cast<double>(Now() - st.congestion_recovery_start_ts) /
                                      NGTCP2_MILLISECONDS);
  set("ptoCount", static_cast<double>(st.pto_count));
  set("srttMs", static_cast<double>(st.smoothed_rtt) / NGTCP2_MILLISECONDS);
  set("rttvarMs", static_cast<double>(st.rttvar) / NGTCP2_MILLISECONDS);
  set("maxDataLeft", static_cast<double>(ngtcp2_conn_get_max_data_left(conn_)));
  if (stream_id_ >= 0)
    set("maxStreamDataLeft",
        static_cast<double>(ngtcp2_conn_get_max_stream_data_left(conn_, stream_id_)));
  ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(conn_);
  ngtcp2_tstamp now = Now();
  set("expiryMs", expiry == UINT64_MAX ? -1
                  : expiry <= now    ? 0
                                     : static_cast<double>(expiry - now) / NGTCP2_MILLISECONDS);
  set("timerActive", uv_is_active(reinterpret_cast<const uv_handle_t*>(&timer_)) ? 1 : 0);
  set("closing", closing_ ? 1 : 0);
  return o;
}

std::string Connection::RemoteText() const {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (remote_.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&remote_);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  auto* a = reinterpret_cast<const sockaddr_in*>(&remote_);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  port = ntohs(a->sin_port);
  return std::string(host) + ":" + std::to_string(port);
}
