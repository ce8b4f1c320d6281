#include <rio/kernel/subscriber_loader.hpp>

#include <rio/kernel/plugin_call.hpp>
#include <rio/kernel/hooks/catalogue.hpp>
#include <rio/kernel/module_loader.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace rio::kernel {
namespace asio = boost::asio;
namespace fs = std::filesystem;

result<std::unique_ptr<loaded_subscriber>> load_subscriber(const fs::path& file, const abi_identity& expected) {
  auto opened = open_plugin(file, expected);
  if (!opened) return opened.error();
  const sdk::module_descriptor& d = **opened;
  if (d.kind == nullptr || std::string_view{d.kind} != "subscriber") {
    return fail(errc::other_plugin_kind, "not a hook subscriber");
  }
  if (d.create_subscriber == nullptr || d.destroy_subscriber == nullptr || d.id == nullptr) {
    return fail(errc::not_a_plugin, "subscriber descriptor lacks id, create or destroy");
  }
  // Plugin code runs inside try: what it throws never crosses into the kernel.
  std::unique_ptr<loaded_subscriber> out = std::make_unique<loaded_subscriber>();
  std::string thrown;
  try {
    out->instance = {d.create_subscriber(), subscriber_deleter{d.destroy_subscriber}};
    if (out->instance) out->events = out->instance->events();
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
    thrown = "unknown exception";
  }
  if (!thrown.empty()) return fail(errc::module_threw, "subscriber create() or events() threw: " + thrown);
  if (!out->instance) return fail(errc::not_a_plugin, "create() returned null");
  if (out->events.empty()) return fail(errc::invalid_module, "the subscriber asks for no events");
  for (const auto& e : out->events) {
    if (e != "*" && hooks::find_event(e) == nullptr) {
      return fail(errc::invalid_module, "the subscriber asks for unknown event '" + e.substr(0, 80) + "'");
    }
  }
  out->file = file;
  out->id = d.id;
  return out;
}

std::vector<std::unique_ptr<loaded_subscriber>> load_subscribers(const fs::path& dir, std::vector<load_problem>& problems,
                                                                 const abi_identity& expected) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".so") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::unique_ptr<loaded_subscriber>> out;
  for (const auto& f : files) {
    auto s = load_subscriber(f, expected);
    if (s) {
      out.push_back(std::move(*s));
    } else if (s.error().code != make_error_code(errc::other_plugin_kind)) {
      // Files that are not plugins at all were already reported by the installer loader.
      if (s.error().code != make_error_code(errc::not_a_plugin) && s.error().code != make_error_code(errc::unsafe_plugin_file) &&
          s.error().code != make_error_code(errc::load_failed)) {
        problems.push_back({f, s.error().message});
      }
    }
  }
  return out;
}

void attach(hooks::hook_bus& bus, loaded_subscriber& s) {
  hooks::subscriber_options o;
  o.name = s.id + " (" + s.file.filename().string() + ")";
  o.events = s.events;
  sdk::hook_subscriber* target = s.instance.get();
  bus.subscribe(o, [target](const hooks::envelope& e) -> asio::awaitable<result<void>> {
    sdk::hook_event event{e.event, e.timestamp, e.seq, boost::json::serialize(e.payload)};
    auto delivered = co_await target->on_event(event);
    if (!delivered) co_return sdk::error{delivered.error().code, delivered.error().message};
    co_return result<void>{};
  });
}

}  // namespace rio::kernel
