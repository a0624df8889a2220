// CortexIQ's QUIC addon: ngtcp2 (QUIC v1) with GnuTLS (TLS 1.3) on Node's event-loop thread.
#include <napi.h>

#include "endpoint.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Endpoint", Endpoint::Define(env));
  return exports;
}

NODE_API_MODULE(cortexiq_quic, Init)
