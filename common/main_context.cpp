#include "main_context.h"

#include <memory>

namespace lp {
namespace {

template <typename Fn>
void destroy_fn(gpointer data) {
  delete static_cast<Fn*>(data);  // the source's own copy, released by GLib's destroy notify
}

guint ms_of(std::chrono::milliseconds d) { return d.count() < 0 ? 0u : static_cast<guint>(d.count()); }

}  // namespace

guint add_timeout_once(std::chrono::milliseconds delay, std::function<void()> fn) {
  using Fn = std::function<void()>;
  auto holder = std::make_unique<Fn>(std::move(fn));
  return g_timeout_add_full(
      G_PRIORITY_DEFAULT, ms_of(delay),
      [](gpointer data) -> gboolean {
        (*static_cast<Fn*>(data))();
        return G_SOURCE_REMOVE;
      },
      holder.release(), destroy_fn<Fn>);
}

guint add_timeout_repeat(std::chrono::milliseconds period, std::function<bool()> fn) {
  using Fn = std::function<bool()>;
  auto holder = std::make_unique<Fn>(std::move(fn));
  return g_timeout_add_full(
      G_PRIORITY_DEFAULT, ms_of(period),
      [](gpointer data) -> gboolean { return (*static_cast<Fn*>(data))() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE; },
      holder.release(), destroy_fn<Fn>);
}

void invoke_on(GMainContext* context, std::function<void()> fn) {
  using Fn = std::function<void()>;
  auto holder = std::make_unique<Fn>(std::move(fn));
  // Always queued (unlike g_main_context_invoke, which runs the function inline in a thread
  // that can acquire the context, e.g. a worker thread while no loop runs).
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(
      source,
      [](gpointer data) -> gboolean {
        (*static_cast<Fn*>(data))();
        return G_SOURCE_REMOVE;
      },
      holder.release(), destroy_fn<Fn>);
  g_source_attach(source, context);
  g_source_unref(source);
}

void remove_source(guint& id) {
  if (id != 0) g_source_remove(id);
  id = 0;
}

}  // namespace lp
