// A UDP socket read and written in batches, with the kernel's segmentation offload: a run of
// same-sized datagrams to one peer leaves in one sendmmsg entry (UDP_SEGMENT, "GSO"), and the
// kernel hands back such runs whole where it can (UDP_GRO). On loopback a 40-packet burst then
// crosses the stack as one buffer instead of forty; libuv's own UDP handle makes one system call
// and one callback per datagram, which under load cost more than the QUIC work itself.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

// The length of a sockaddr_in or sockaddr_in6, by its family.
socklen_t SockaddrLen(const sockaddr* sa);

class UdpSocket {
 public:
  // The largest datagram we send: QUIC packets here are at most 1452 bytes plus MTU probes.
  static const size_t kMaxDatagram = 2048;
  // Datagrams queued before a flush is forced.
  static const size_t kSendQueue = 64;

  using ReadableFn = void (*)(void* owner);
  using DatagramFn = void (*)(void* ctx, const sockaddr* from, const uint8_t* data, size_t len);

  // Binds a non-blocking socket to `addr` on `loop` and calls `on_readable(owner)` whenever it has
  // datagrams. Returns 0 or a negative errno; on error the socket must still be Close()d.
  static int Open(uv_loop_t* loop, const sockaddr* addr, void* owner, ReadableFn on_readable,
                  UdpSocket** out);

  // Reads one batch; calls `fn(ctx, from, data, len)` per datagram. Returns how many receive
  // entries the kernel filled (kReadBatch means there may be more).
  size_t ReadBatch(void* ctx, DatagramFn fn);
  static const size_t kReadBatch = 16;
  // Room for the next datagram to send (kMaxDatagram bytes); sends the queue first when full.
  uint8_t* Slot();
  // Queues the datagram just written into Slot() for `to`.
  void Commit(size_t len, const sockaddr* to);
  // Sends everything queued. When the kernel's send buffer is full (EAGAIN), what it did not take
  // waits in a bounded backlog and goes out, in order and before anything newer, once the socket
  // is writable again; only past the backlog's bound, or on a hard error, is a datagram dropped
  // (and counted: QUIC retransmits it).
  void Flush();
  uint64_t backlogged() const { return backlogged_; }
  uint64_t dropped() const { return dropped_; }
  int LocalAddress(sockaddr_storage* out) const;
  // Stops reading at once; the socket and this object go once libuv has let go of the handle.
  void Close();

 private:
  UdpSocket() = default;
  static void OnPoll(uv_poll_t* poll, int status, int events);
  bool SendRuns(size_t first, size_t count);
  // A run of one or more same-sized datagrams to one peer (`segment` > 0: a GSO run).
  struct Pending {
    std::vector<uint8_t> bytes;
    sockaddr_storage to;
    uint16_t segment;
  };
  void Backlog(const uint8_t* data, size_t len, const sockaddr_storage& to, uint16_t segment);
  // Sends the backlog until it is empty (true) or the kernel is full again (false).
  bool DrainBacklog();
  void WantWritable(bool on);

  std::deque<Pending> backlog_;
  size_t backlog_bytes_ = 0;
  bool want_writable_ = false;
  uint64_t backlogged_ = 0;
  uint64_t dropped_ = 0;

  int fd_ = -1;
  uv_poll_t poll_;
  bool polling_ = false;
  bool gso_ = true;  // cleared when the kernel refuses UDP_SEGMENT
  void* owner_ = nullptr;
  ReadableFn on_readable_ = nullptr;

  // Queued datagrams, packed back to back so that a run can go out as one GSO buffer.
  uint8_t tx_[kSendQueue * kMaxDatagram];
  size_t tx_used_ = 0;
  size_t tx_off_[kSendQueue];
  size_t tx_len_[kSendQueue];
  sockaddr_storage tx_to_[kSendQueue];
  size_t tx_count_ = 0;
};
