#include "send-buffer.h"

namespace {
// Small writes share chunks of this size: one allocation per 16 KiB instead of per write.
const size_t kChunkBytes = 16 * 1024;
}  // namespace

void SendBuffer::Push(const uint8_t* data, size_t len) {
  if (len == 0) return;
  end_ += len;
  if (!chunks_.empty()) {
    auto& last = chunks_.back();
    // Appending within capacity never moves the bytes ngtcp2 may already point at.
    if (last.capacity() - last.size() >= len) {
      last.insert(last.end(), data, data + len);
      return;
    }
  }
  chunks_.emplace_back();
  chunks_.back().reserve(len > kChunkBytes ? len : kChunkBytes);
  chunks_.back().assign(data, data + len);
}

size_t SendBuffer::Unsent(ngtcp2_vec* out, size_t max) const {
  size_t n = 0;
  uint64_t offset = base_;
  for (const auto& chunk : chunks_) {
    if (n == max) break;
    uint64_t chunk_end = offset + chunk.size();
    if (chunk_end > sent_) {
      uint64_t skip = sent_ > offset ? sent_ - offset : 0;
      out[n].base = const_cast<uint8_t*>(chunk.data()) + skip;
      out[n].len = chunk.size() - skip;
      n++;
    }
    offset = chunk_end;
  }
  return n;
}

void SendBuffer::Acked(uint64_t upto) {
  // ngtcp2 reports acknowledgements in order, so whole chunks below `upto` are done with.
  while (!chunks_.empty() && base_ + chunks_.front().size() <= upto) {
    base_ += chunks_.front().size();
    chunks_.pop_front();
  }
}
