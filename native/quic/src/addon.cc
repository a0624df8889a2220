// CortexIQ's QUIC addon: ngtcp2 (QUIC v1) with GnuTLS (TLS 1.3) on Node's event-loop thread.
#include <malloc.h>
#include <napi.h>

#include <cstdlib>

#include "endpoint.h"

namespace {
// A busy connection allocates and frees buffers of 64-256 KiB every turn of the loop (the
// addon's send chunks, Node's staging buffers and read chunks). With glibc's defaults the larger
// ones were mmap'd and unmapped each time and the heap's free top was given back to the kernel
// (trimmed) each time, so every turn faulted its pages in again: about 9 % of a gateway's CPU in
// the naive publish loop (docs/protocol.md §7, "allocator"). Below 1 MiB from the heap, and up to
// 8 MiB of free heap top kept, costs at most that much resident memory after a burst. glibc's own
// variables (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), when set, still decide.
void TuneAllocator() {
#ifdef __GLIBC__
  if (!std::getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  if (!std::getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
#endif
}
}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  TuneAllocator();
  exports.Set("Endpoint", Endpoint::Define(env));
  return exports;
}

NODE_API_MODULE(cortexiq_quic, Init)
