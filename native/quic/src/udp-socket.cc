#include "udp-socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <cstring>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace {

bool SameAddr(const sockaddr_storage& a, const sockaddr_storage& b) {
  return memcmp(&a, &b, SockaddrLen(reinterpret_cast<const sockaddr*>(&a))) == 0;
}

// Room for bursts: a whole congestion window can arrive between two reads.
const int kSocketBuffer = 4 << 20;
// A GRO buffer holds up to 64 KiB of coalesced datagrams.
const size_t kReadSize = 65536;
// What may wait for a full send buffer to drain: about a congestion window. Past it a datagram is
// dropped like a lost packet.
const size_t kMaxBacklogBytes = 4 << 20;
// The kernel's limits for one GSO send: 64 segments, and an IP packet's 64 KiB.
const size_t kMaxSegments = 64;
const size_t kMaxGsoBytes = 65000;

// Read buffers are shared by the sockets of one thread: they all run on that thread's event loop
// (the main one, or a worker's), and a batch is fully processed (ngtcp2 copies what it keeps)
// before the next read. Per thread, not per process: two workers must never share them.
thread_local uint8_t rx_buf[UdpSocket::kReadBatch][kReadSize];
thread_local sockaddr_storage rx_from[UdpSocket::kReadBatch];
thread_local char rx_control[UdpSocket::kReadBatch][CMSG_SPACE(sizeof(int))];

}  // namespace

socklen_t SockaddrLen(const sockaddr* sa) {
  return sa->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

int UdpSocket::Open(uv_loop_t* loop, const sockaddr* addr, void* owner, ReadableFn on_readable,
                    UdpSocket** out) {
  auto* s = new UdpSocket();
  *out = s;
  s->owner_ = owner;
  s->on_readable_ = on_readable;
  s->fd_ = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0) return -errno;
  setsockopt(s->fd_, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer);
  setsockopt(s->fd_, SOL_SOCKET, SO_SNDBUF, &kSocketBuffer, sizeof kSocketBuffer);
  int on = 1;
  setsockopt(s->fd_, IPPROTO_UDP, UDP_GRO, &on, sizeof on);  // best effort: older kernels lack it
  if (bind(s->fd_, addr, SockaddrLen(addr)) != 0) return -errno;
  int rv = uv_poll_init_socket(loop, &s->poll_, s->fd_);
  if (rv != 0) return rv;
  s->poll_.data = s;
  s->polling_ = true;
  return uv_poll_start(&s->poll_, UV_READABLE, OnPoll);
}

void UdpSocket::OnPoll(uv_poll_t* poll, int status, int events) {
  auto* self = static_cast<UdpSocket*>(poll->data);
  if (status < 0 || !self->owner_) return;
  if ((events & UV_WRITABLE) && self->DrainBacklog()) self->WantWritable(false);
  if (events & UV_READABLE) self->on_readable_(self->owner_);
}

void UdpSocket::WantWritable(bool on) {
  if (on == want_writable_ || !polling_) return;
  want_writable_ = on;
  uv_poll_start(&poll_, on ? UV_READABLE | UV_WRITABLE : UV_READABLE, OnPoll);
}

void UdpSocket::Backlog(const uint8_t* data, size_t len, const sockaddr_storage& to,
                        uint16_t segment) {
  if (backlog_bytes_ + len > kMaxBacklogBytes) {
    dropped_++;
    return;
  }
  backlog_.push_back(Pending{std::vector<uint8_t>(data, data + len), to, segment});
  backlog_bytes_ += len;
  backlogged_++;
  WantWritable(true);
}

bool UdpSocket::DrainBacklog() {
  while (!backlog_.empty() && fd_ >= 0) {
    Pending& p = backlog_.front();
    iovec iov{p.bytes.data(), p.bytes.size()};
    msghdr h{};
    char control[CMSG_SPACE(sizeof(uint16_t))];
    h.msg_name = &p.to;
    h.msg_namelen = SockaddrLen(reinterpret_cast<sockaddr*>(&p.to));
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    if (p.segment > 0) {
      h.msg_control = control;
      h.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&h);
      c->cmsg_level = IPPROTO_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      memcpy(CMSG_DATA(c), &p.segment, sizeof p.segment);
    }
    if (sendmsg(fd_, &h, 0) < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return false;
      dropped_++;  // a hard error for this datagram (unreachable): QUIC resends it
    }
    backlog_bytes_ -= p.bytes.size();
    backlog_.pop_front();
  }
  return true;
}

size_t UdpSocket::ReadBatch(void* ctx, DatagramFn fn) {
  if (fd_ < 0 || !owner_) return 0;
  mmsghdr msgs[kReadBatch];
  iovec iov[kReadBatch];
  for (size_t i = 0; i < kReadBatch; i++) {
    iov[i] = {rx_buf[i], kReadSize};
    memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
    msgs[i].msg_hdr.msg_name = &rx_from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof rx_from[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_control = rx_control[i];
    msgs[i].msg_hdr.msg_controllen = sizeof rx_control[i];
  }
  int n = recvmmsg(fd_, msgs, kReadBatch, MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  for (int i = 0; i < n && owner_; i++) {
    msghdr& h = msgs[i].msg_hdr;
    if (h.msg_flags & MSG_TRUNC) continue;
    size_t len = msgs[i].msg_len;
    size_t segment = len;  // without GRO: one datagram
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
        int size;
        memcpy(&size, CMSG_DATA(c), sizeof size);
        if (size > 0) segment = static_cast<size_t>(size);
      }
    }
    const sockaddr* from = reinterpret_cast<sockaddr*>(&rx_from[i]);
    for (size_t off = 0; off < len && owner_; off += segment) {
      size_t part = len - off < segment ? len - off : segment;
      fn(ctx, from, rx_buf[i] + off, part);
    }
  }
  return static_cast<size_t>(n);
}

uint8_t* UdpSocket::Slot() {
  if (tx_count_ == kSendQueue) Flush();
  return tx_ + tx_used_;
}

void UdpSocket::Commit(size_t len, const sockaddr* to) {
  memcpy(&tx_to_[tx_count_], to, SockaddrLen(to));
  tx_off_[tx_count_] = tx_used_;
  tx_len_[tx_count_] = len;
  tx_used_ += len;
  tx_count_++;
}

void UdpSocket::Flush() {
  if (tx_count_ > 0 && fd_ >= 0) {
    // Anything still waiting goes first: newer datagrams queue behind it.
    if (!backlog_.empty() && !DrainBacklog()) {
      for (size_t i = 0; i < tx_count_; i++) Backlog(tx_ + tx_off_[i], tx_len_[i], tx_to_[i], 0);
    } else {
      SendRuns(0, tx_count_);
    }
  }
  tx_count_ = 0;
  tx_used_ = 0;
}

// Groups the queue into runs (same peer, same size but a shorter last one) and sends them all
// with one sendmmsg; a run of one is a plain datagram.
bool UdpSocket::SendRuns(size_t first, size_t count) {
  mmsghdr msgs[kSendQueue];
  iovec iov[kSendQueue];
  char control[kSendQueue][CMSG_SPACE(sizeof(uint16_t))];
  size_t runs = 0;
  for (size_t i = first; i < first + count;) {
    size_t j = i + 1;
    size_t bytes = tx_len_[i];
    if (gso_) {
      while (j < first + count && j - i < kMaxSegments && bytes + tx_len_[j] <= kMaxGsoBytes &&
             tx_len_[j] <= tx_len_[i] && tx_len_[j - 1] == tx_len_[i] && SameAddr(tx_to_[j], tx_to_[i])) {
        bytes += tx_len_[j];
        j++;
      }
    }
    iov[runs] = {tx_ + tx_off_[i], bytes};
    msghdr& h = msgs[runs].msg_hdr;
    memset(&h, 0, sizeof h);
    h.msg_name = &tx_to_[i];
    h.msg_namelen = SockaddrLen(reinterpret_cast<sockaddr*>(&tx_to_[i]));
    h.msg_iov = &iov[runs];
    h.msg_iovlen = 1;
    if (j - i > 1) {
      h.msg_control = control[runs];
      h.msg_controllen = sizeof control[runs];
      cmsghdr* c = CMSG_FIRSTHDR(&h);
      c->cmsg_level = IPPROTO_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t segment = static_cast<uint16_t>(tx_len_[i]);
      memcpy(CMSG_DATA(c), &segment, sizeof segment);
    }
    runs++;
    i = j;
  }
  size_t done = 0;
  while (done < runs) {
    int n = sendmmsg(fd_, msgs + done, runs - done, 0);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      // The send buffer is full: keep the rest, in order, for when it has room.
      for (size_t r = done; r < runs; r++) {
        uint16_t segment = 0;
        if (msgs[r].msg_hdr.msg_controllen > 0)
          memcpy(&segment, CMSG_DATA(CMSG_FIRSTHDR(&msgs[r].msg_hdr)), sizeof segment);
        Backlog(static_cast<uint8_t*>(iov[r].iov_base), iov[r].iov_len,
                *static_cast<sockaddr_storage*>(msgs[r].msg_hdr.msg_name), segment);
      }
      return true;
    }
    if (errno == EIO && gso_ && msgs[done].msg_hdr.msg_controllen > 0) {
      // No segmentation offload on this path (the device or kernel lacks it): stop using it and
      // send this run again one datagram at a time.
      gso_ = false;
      size_t start = static_cast<size_t>(static_cast<uint8_t*>(iov[done].iov_base) - tx_);
      size_t k = first;
      while (tx_off_[k] != start) k++;
      size_t end = k;
      size_t left = iov[done].iov_len;
      while (left > 0) left -= tx_len_[end++];
      SendRuns(k, end - k);
      done++;
      continue;
    }
    dropped_++;
    done++;  // this datagram or run is refused (unreachable): QUIC resends it
  }
  return true;
}

int UdpSocket::LocalAddress(sockaddr_storage* out) const {
  socklen_t len = sizeof *out;
  return getsockname(fd_, reinterpret_cast<sockaddr*>(out), &len) == 0 ? 0 : -errno;
}

void UdpSocket::Close() {
  owner_ = nullptr;
  tx_count_ = 0;
  tx_used_ = 0;
  if (!polling_) {
    if (fd_ >= 0) close(fd_);
    delete this;
    return;
  }
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), [](uv_handle_t* h) {
    auto* self = static_cast<UdpSocket*>(h->data);
    if (self->fd_ >= 0) close(self->fd_);
    delete self;
  });
}
