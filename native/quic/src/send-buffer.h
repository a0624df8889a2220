// Bytes written to a QUIC stream, kept until the peer acknowledges them: ngtcp2 does not copy
// stream data, it points into these chunks for the first send and for every retransmission.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include <ngtcp2/ngtcp2.h>

class SendBuffer {
 public:
  // Copies `len` bytes to the end of the stream.
  void Push(const uint8_t* data, size_t len);
  // Up to `max` vectors covering the bytes not yet handed to ngtcp2; returns how many.
  size_t Unsent(ngtcp2_vec* out, size_t max) const;
  // ngtcp2 took `len` more bytes into packets.
  void Sent(uint64_t len) { sent_ += len; }
  // Everything below stream offset `upto` is acknowledged: those chunks can go.
  void Acked(uint64_t upto);

  uint64_t unsent_bytes() const { return end_ - sent_; }
  uint64_t unacked_bytes() const { return end_ - base_; }

 private:
  std::deque<std::vector<uint8_t>> chunks_;
  uint64_t base_ = 0;  // stream offset of chunks_.front()[0]
  uint64_t sent_ = 0;  // stream offset of the first byte ngtcp2 has not taken yet
  uint64_t end_ = 0;   // stream offset just past the last byte pushed
};
