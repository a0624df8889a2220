{
  "targets": [
    {
      "target_name": "cortexiq_quic",
      "sources": ["src/addon.cc", "src/endpoint.cc", "src/connection.cc", "src/send-buffer.cc", "src/udp-socket.cc", "src/admission.cc", "src/closed-ids.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lngtcp2", "-lngtcp2_crypto_gnutls", "-lgnutls"]
    }
  ]
}
