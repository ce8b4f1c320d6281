// A hook subscriber that appends each event to a file as one JSON line:
//   {"seq":42,"event":"on_remote_module_finished","timestamp":"...","payload":{...}}
// The file is $RIO_HOOK_LOGGER_FILE (default rio-hook-events.jsonl in the working directory);
// $RIO_HOOK_LOGGER_EVENTS narrows the events (comma-separated names; default all).
//
// A small local append is the only I/O here; a subscriber that talks to the network should hand
// the event to its own thread or use Asio, because on_event runs on rio's executor.

#include <rio/sdk/module.hpp>
#include <rio/sdk/subscriber.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace hook_logger {

class logger final : public rio::sdk::hook_subscriber {
 public:
  std::vector<std::string> events() const override {
    const char* wanted = std::getenv("RIO_HOOK_LOGGER_EVENTS");
    if (wanted == nullptr || *wanted == '\0') return {"*"};
    std::vector<std::string> out;
    std::string list = wanted;
    for (std::size_t start = 0; start <= list.size();) {
      auto comma = list.find(',', start);
      std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!name.empty()) out.push_back(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }

  boost::asio::awaitable<rio::sdk::result<void>> on_event(const rio::sdk::hook_event& e) override {
    const char* path = std::getenv("RIO_HOOK_LOGGER_FILE");
    std::FILE* f = std::fopen(path != nullptr && *path != '\0' ? path : "rio-hook-events.jsonl", "a");
    if (f == nullptr) co_return rio::sdk::fail(rio::sdk::errc::exec_failed, "cannot open the hook log file");
    // Event names and timestamps need no JSON escaping; the payload is JSON already.
    std::fprintf(f, "{\"seq\":%llu,\"event\":\"%s\",\"timestamp\":\"%s\",\"payload\":%s}\n",
                 static_cast<unsigned long long>(e.seq), e.name.c_str(), e.timestamp.c_str(), e.payload_json.c_str());
    std::fclose(f);
    co_return rio::sdk::result<void>{};
  }
};

}  // namespace hook_logger

RIO_DECLARE_SUBSCRIBER("hook-logger", hook_logger::logger)
