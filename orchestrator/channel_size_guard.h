// A cap on how much a transcoder channel may receive without completing a message. libsoup
// bounds each WebSocket frame (max-incoming-payload-size) but not a message sent in
// continuation fragments, which it gathers in memory until the last one. The kernel counts
// the bytes each TCP connection has received (TCP_INFO), so a channel that takes in more
// than the cap between two whole messages (an endless fragmented message, or a control-frame
// flood) is closed with 1009 "message too big". The check runs on every main-loop iteration.
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <map>

namespace lp {

class ChannelSizeGuard {
 public:
  static constexpr uint64_t kMaxBytesBetweenMessages = uint64_t{4} << 20;

  ChannelSizeGuard();
  ~ChannelSizeGuard();
  ChannelSizeGuard(const ChannelSizeGuard&) = delete;
  ChannelSizeGuard& operator=(const ChannelSizeGuard&) = delete;

  // Watches `conn` (whose TCP socket is `socket`) until it closes.
  void watch(SoupWebsocketConnection* conn, GSocket* socket);

  // For the guard's main-loop source: whether a channel is over the cap; close those that are.
  bool any_over() const;
  void close_over();

 private:
  struct Watch {
    GSocket* socket = nullptr;  // owned reference
    uint64_t mark = 0;          // bytes received when the last whole message came
    gulong message_handler = 0;
    gulong closed_handler = 0;
  };
  void forget(SoupWebsocketConnection* conn);
  static uint64_t bytes_received(GSocket* socket);

  // Main thread only; each connection holds a reference while watched.
  std::map<SoupWebsocketConnection*, Watch> watched_;
  GSource* source_ = nullptr;  // owned; checks on every main-loop iteration
};

}  // namespace lp
