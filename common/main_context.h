// std::function adapters for GLib main-context sources, so callers capture what they need
// instead of passing void* user data around.
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>

namespace lp {

// Calls `fn` once after `delay` on the global default main context (as g_timeout_add does);
// remove_source() the returned id to cancel.
guint add_timeout_once(std::chrono::milliseconds delay, std::function<void()> fn);

// Calls `fn` every `period` while it returns true.
guint add_timeout_repeat(std::chrono::milliseconds period, std::function<bool()> fn);

// Runs `fn` on `context` from its loop (from any thread; always queued, never inline).
void invoke_on(GMainContext* context, std::function<void()> fn);

// Removes a source id and zeroes it; 0 is left alone.
void remove_source(guint& id);

}  // namespace lp
