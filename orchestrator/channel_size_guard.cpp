#include "channel_size_guard.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <vector>

namespace lp {

namespace {

// Runs the check on every iteration of the main loop: libsoup reads a channel until the
// socket is drained and then returns to the loop, so a channel can gather at most the cap
// plus one socket buffer before it is seen.
struct GuardSource {
  GSource base;
  ChannelSizeGuard* guard;
};

gboolean guard_prepare(GSource* source, gint* timeout) {
  *timeout = -1;
  return reinterpret_cast<GuardSource*>(source)->guard->any_over();
}

gboolean guard_check(GSource* source) { return reinterpret_cast<GuardSource*>(source)->guard->any_over(); }

gboolean guard_dispatch(GSource* source, GSourceFunc, gpointer) {
  reinterpret_cast<GuardSource*>(source)->guard->close_over();
  return G_SOURCE_CONTINUE;
}

GSourceFuncs kGuardFuncs = {guard_prepare, guard_check, guard_dispatch, nullptr, nullptr, nullptr};

}  // namespace

ChannelSizeGuard::ChannelSizeGuard() {
  source_ = g_source_new(&kGuardFuncs, sizeof(GuardSource));
  reinterpret_cast<GuardSource*>(source_)->guard = this;
  g_source_attach(source_, nullptr);
}

ChannelSizeGuard::~ChannelSizeGuard() {
  g_source_destroy(source_);
  g_source_unref(source_);
  while (!watched_.empty()) forget(watched_.begin()->first);
}

bool ChannelSizeGuard::any_over() const {
  for (const auto& [conn, w] : watched_)
    if (bytes_received(w.socket) - w.mark > kMaxBytesBetweenMessages) return true;
  return false;
}

uint64_t ChannelSizeGuard::bytes_received(GSocket* socket) {
  struct tcp_info info {};
  socklen_t size = sizeof info;
  if (getsockopt(g_socket_get_fd(socket), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return 0;
  return info.tcpi_bytes_received;
}

void ChannelSizeGuard::watch(SoupWebsocketConnection* conn, GSocket* socket) {
  if (!socket || watched_.count(conn)) return;
  g_object_ref(conn);
  Watch& w = watched_[conn];
  w.socket = G_SOCKET(g_object_ref(socket));
  w.mark = bytes_received(socket);
  w.message_handler =
      g_signal_connect(conn, "message", G_CALLBACK(+[](SoupWebsocketConnection* c, gint, GBytes*, gpointer self) {
                         auto* me = static_cast<ChannelSizeGuard*>(self);
                         if (auto it = me->watched_.find(c); it != me->watched_.end())
                           it->second.mark = bytes_received(it->second.socket);
                       }),
                       this);
  w.closed_handler = g_signal_connect(conn, "closed", G_CALLBACK(+[](SoupWebsocketConnection* c, gpointer self) {
                                        static_cast<ChannelSizeGuard*>(self)->forget(c);
                                      }),
                                      this);
}

void ChannelSizeGuard::forget(SoupWebsocketConnection* conn) {
  auto it = watched_.find(conn);
  if (it == watched_.end()) return;
  g_signal_handler_disconnect(conn, it->second.message_handler);
  g_signal_handler_disconnect(conn, it->second.closed_handler);
  g_object_unref(it->second.socket);
  watched_.erase(it);
  g_object_unref(conn);
}

void ChannelSizeGuard::close_over() {
  std::vector<SoupWebsocketConnection*> over;
  for (const auto& [conn, w] : watched_)
    if (bytes_received(w.socket) - w.mark > kMaxBytesBetweenMessages) over.push_back(conn);
  for (SoupWebsocketConnection* conn : over) {
    g_message("transcoder channel closed: more than %llu bytes without a whole message",
              static_cast<unsigned long long>(kMaxBytesBetweenMessages));
    g_object_ref(conn);
    GSocket* socket = G_SOCKET(g_object_ref(watched_.at(conn).socket));
    forget(conn);
    if (soup_websocket_connection_get_state(conn) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message too big");
    // libsoup keeps gathering fragments until the peer answers the close, which a hostile
    // one never does: the socket is closed under it (its next read fails and it lets go).
    g_socket_close(socket, nullptr);
    g_object_unref(socket);
    g_object_unref(conn);
  }
}

}  // namespace lp
