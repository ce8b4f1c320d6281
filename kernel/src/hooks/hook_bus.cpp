#include <rio/kernel/hooks/hook_bus.hpp>

#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/plugin_call.hpp>
#include <rio/kernel/hooks/catalogue.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <thread>

namespace rio::kernel::hooks {
namespace asio = boost::asio;
namespace json = boost::json;

json::object envelope::to_json() const {
  return json::object{{"event", event}, {"ts", ts},           {"data", payload},
                      {"seq", seq},     {"timestamp", timestamp}, {"payload", payload}};
}

namespace {

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool wants(const std::vector<std::string>& events, std::string_view name) {
  return std::any_of(events.begin(), events.end(), [&](const std::string& e) { return e == "*" || e == name; });
}

// One copy of each event, whatever the number of queues holding it; `bytes` is its payload's
// serialised size, what the byte limits count.
struct shared_event {
  std::shared_ptr<const envelope> e;
  std::size_t bytes = 0;
};

// Events with a running byte total: the queues and the history.
struct event_list {
  std::deque<shared_event> items;
  std::size_t bytes = 0;
  bool empty() const { return items.empty(); }
  void push(shared_event e) {
    bytes += e.bytes;
    items.push_back(std::move(e));
  }
  shared_event pop() {
    shared_event e = std::move(items.front());
    items.pop_front();
    bytes -= e.bytes;
    return e;
  }
};

// A bounded queue with a wake-up timer that never expires: cancel() is the signal, always posted
// to the executor so that a waiter that is about to wait cannot miss it.
struct queue_base {
  explicit queue_base(asio::any_io_executor ex) : wake(ex, asio::steady_timer::time_point::max()) {}
  std::vector<std::string> events;
  std::size_t limit = 1000;
  event_list items;
  std::uint64_t dropped = 0;
  asio::steady_timer wake;
};

}  // namespace

// Each push subscriber (a plugin, a webhook) runs on a thread of its own, so one that blocks
// despite the rules stalls only itself: never a run, the server, or another subscriber.
struct push_subscriber {
  asio::io_context ctx;
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{ctx.get_executor()};
  std::vector<std::string> events;
  std::size_t limit = 1000;
  event_list items;
  std::uint64_t dropped = 0;
  asio::steady_timer wake{ctx, asio::steady_timer::time_point::max()};
  bool delivering = false;
  subscriber_options options;
  hook_bus::handler on_event;
  subscriber_stats stats;
  std::thread thread;
};

struct pull_queue : queue_base {
  using queue_base::queue_base;
  bool closed = false;
  asio::any_io_executor owner;  ///< the stream reader's executor: its wake-ups are posted there
};

struct hook_bus::state {
  explicit state(asio::any_io_executor e) : ex(std::move(e)) {}
  asio::any_io_executor ex;
  mutable std::mutex mutex;
  std::uint64_t next_seq = 0;
  std::size_t history_limit = 200;
  std::size_t byte_limit = hook_bus::default_byte_limit;
  event_list history;
  std::vector<std::shared_ptr<push_subscriber>> subscribers;
  std::vector<std::weak_ptr<pull_queue>> streams;
  bool stopped = false;
};

namespace {

template <class Queue>
void enqueue(Queue& q, const shared_event& e, std::size_t byte_limit) {
  if (q.items.items.size() >= q.limit || (!q.items.empty() && q.items.bytes + e.bytes > byte_limit)) {
    ++q.dropped;
    return;
  }
  q.items.push(e);
}

asio::awaitable<void> consume(std::shared_ptr<hook_bus::state> st, std::shared_ptr<push_subscriber> s) {
  for (;;) {
    std::shared_ptr<const envelope> next;
    {
      std::lock_guard lock{st->mutex};
      if (st->stopped) co_return;
      if (!s->items.empty()) {
        next = s->items.pop().e;
        s->delivering = true;
      }
    }
    if (!next) {
      co_await s->wake.async_wait(sdk::use_nothrow);
      continue;
    }
    const std::string what = "hook subscriber '" + s->options.name + "' (" + next->event + ")";
    auto delivered = co_await call_plugin<void>(what, s->options.deadline, [&] { return s->on_event(*next); });
    std::lock_guard lock{st->mutex};
    s->delivering = false;
    if (delivered) ++s->stats.delivered;
    else if (delivered.error().code == make_error_code(errc::plugin_call_timed_out)) ++s->stats.timed_out;
    else ++s->stats.failed;
  }
}

class stream_impl final : public stream_subscription {
 public:
  stream_impl(std::shared_ptr<hook_bus::state> st, std::shared_ptr<pull_queue> q) : st_(std::move(st)), q_(std::move(q)) {}
  ~stream_impl() override {
    std::lock_guard lock{st_->mutex};
    q_->closed = true;
  }
  asio::awaitable<std::optional<envelope>> next(std::chrono::milliseconds patience) override {
    auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
      {
        std::lock_guard lock{st_->mutex};
        if (!q_->items.empty()) co_return envelope{*q_->items.pop().e};
        if (st_->stopped) co_return std::nullopt;
      }
      if (std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
      using namespace asio::experimental::awaitable_operators;
      asio::steady_timer limit{co_await asio::this_coro::executor, deadline};
      co_await (q_->wake.async_wait(sdk::use_nothrow) || limit.async_wait(sdk::use_nothrow));
    }
  }
  std::uint64_t dropped() const override {
    std::lock_guard lock{st_->mutex};
    return q_->dropped;
  }

 private:
  std::shared_ptr<hook_bus::state> st_;
  std::shared_ptr<pull_queue> q_;
};

}  // namespace

hook_bus::hook_bus(asio::any_io_executor ex, std::size_t history_limit, std::size_t byte_limit)
    : state_(std::make_shared<state>(std::move(ex))) {
  state_->history_limit = history_limit;
  state_->byte_limit = byte_limit;
}

hook_bus::~hook_bus() { stop(); }

result<void> hook_bus::publish(std::string_view event, json::object payload) {
  if (find_event(event) == nullptr) return fail(errc::bad_request, "unsupported event '" + std::string{event} + "'");
  std::vector<std::shared_ptr<push_subscriber>> pushed;
  std::vector<std::shared_ptr<pull_queue>> streams;
  const std::size_t bytes = json::serialize(payload).size();  // outside the lock: payloads may be large
  {
    std::lock_guard lock{state_->mutex};
    if (state_->stopped) return {};
    shared_event e{std::make_shared<const envelope>(envelope{std::string{event}, engine::utc_timestamp(), state_->next_seq++,
                                                             std::move(payload), epoch_seconds()}),
                   bytes};
    for (auto& s : state_->subscribers) {
      if (wants(s->options.events, event)) {
        enqueue(*s, e, state_->byte_limit);
        s->stats.dropped = s->dropped;
        pushed.push_back(s);
      }
    }
    std::erase_if(state_->streams, [](const std::weak_ptr<pull_queue>& w) {
      auto q = w.lock();
      return !q || q->closed;
    });
    for (auto& w : state_->streams) {
      auto q = w.lock();
      if (q && wants(q->events, event)) {
        enqueue(*q, e, state_->byte_limit);
        streams.push_back(q);
      }
    }
    auto& h = state_->history;
    h.push(std::move(e));
    while (h.items.size() > state_->history_limit || (h.items.size() > 1 && h.bytes > state_->byte_limit)) h.pop();
  }
  // Each timer is cancelled on the executor that waits on it (never from this thread).
  for (auto& p : pushed) asio::post(p->ctx, [p] { p->wake.cancel(); });
  for (auto& q : streams) asio::post(q->owner, [q] { q->wake.cancel(); });
  return {};
}

void hook_bus::subscribe(subscriber_options options, handler on_event) {
  auto s = std::make_shared<push_subscriber>();
  s->events = options.events;
  s->limit = options.queue_limit;
  s->stats.name = options.name;
  s->options = std::move(options);
  s->on_event = std::move(on_event);
  {
    std::lock_guard lock{state_->mutex};
    state_->subscribers.push_back(s);
  }
  asio::co_spawn(s->ctx, consume(state_, s), asio::detached);
  s->thread = std::thread{[raw = s.get()] { raw->ctx.run(); }};
}

std::unique_ptr<stream_subscription> hook_bus::open_stream(std::vector<std::string> events, std::size_t queue_limit) {
  auto q = std::make_shared<pull_queue>(state_->ex);
  q->owner = state_->ex;
  q->events = std::move(events);
  q->limit = queue_limit;
  {
    std::lock_guard lock{state_->mutex};
    state_->streams.push_back(q);
  }
  return std::make_unique<stream_impl>(state_, q);
}

std::vector<envelope> hook_bus::history(std::size_t limit, std::string_view event) const {
  std::lock_guard lock{state_->mutex};
  std::vector<envelope> out;
  const auto& items = state_->history.items;
  for (auto it = items.rbegin(); it != items.rend() && out.size() < limit; ++it) {
    if (event.empty() || it->e->event == event) out.push_back(*it->e);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<subscriber_stats> hook_bus::stats() const {
  std::lock_guard lock{state_->mutex};
  std::vector<subscriber_stats> out;
  for (const auto& s : state_->subscribers) {
    subscriber_stats st = s->stats;
    st.dropped = s->dropped;
    st.queued = s->items.items.size();
    out.push_back(st);
  }
  return out;
}

asio::awaitable<void> hook_bus::drain(std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  asio::steady_timer tick{co_await asio::this_coro::executor};
  for (;;) {
    bool idle = true;
    {
      std::lock_guard lock{state_->mutex};
      for (const auto& s : state_->subscribers) idle = idle && s->items.empty() && !s->delivering;
    }
    if (idle || std::chrono::steady_clock::now() >= deadline) co_return;
    // Deliveries are coroutines on this executor: yielding briefly lets them run.
    tick.expires_after(std::chrono::milliseconds{5});
    co_await tick.async_wait(sdk::use_nothrow);
  }
}

void hook_bus::stop() {
  std::vector<std::shared_ptr<pull_queue>> streams;
  {
    std::lock_guard lock{state_->mutex};
    if (state_->stopped) return;
    state_->stopped = true;
    for (auto& w : state_->streams) {
      if (auto q = w.lock()) streams.push_back(q);
    }
  }
  for (auto& q : streams) asio::post(q->owner, [q] { q->wake.cancel(); });
  std::vector<std::shared_ptr<push_subscriber>> subscribers;
  {
    std::lock_guard lock{state_->mutex};
    subscribers = state_->subscribers;
  }
  // Wake every consumer so it sees `stopped` and ends; then its thread runs out of work.
  for (auto& s : subscribers) {
    asio::post(s->ctx, [s] { s->wake.cancel(); });
    s->keep_running.reset();
  }
  for (auto& s : subscribers) {
    if (s->thread.joinable() && s->thread.get_id() != std::this_thread::get_id()) s->thread.join();
  }
}

}  // namespace rio::kernel::hooks
