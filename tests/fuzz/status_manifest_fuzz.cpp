// Status manifests (data/remote/install/<host>.json): written by rio, but also by the Python
// original and by hand, and read back by `rio status`, the REST status routes and every run.
// Feeds the text to parse_manifest (what load_manifest does after reading the file), then checks
// that what parsed survives rio's own writer: manifest_to_json, serialised and parsed again,
// gives the same document.

#include "fuzz_support.hpp"

#include <rio/kernel/engine/status_manifest.hpp>

#include <boost/json/serialize.hpp>

namespace {

namespace engine = rio::kernel::engine;
using rio::fuzz::require;

const std::string source = "fuzz/data/remote/install/host.json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = engine::parse_manifest(rio::fuzz::text_of(data, size), source);
  if (!parsed) {
    require(parsed.error().code == rio::kernel::make_error_code(rio::kernel::errc::corrupt_manifest),
            "a bad manifest is corrupt_manifest", parsed.error().message);
    require(parsed.error().message.starts_with(source + ": "), "errors name the file", parsed.error().message);
    return 0;
  }
  const boost::json::object written = engine::manifest_to_json(*parsed);
  const std::string text = boost::json::serialize(written);
  auto again = engine::parse_manifest(text, source);
  require(again.has_value(), "rio reads back what it writes", again ? std::string_view{} : again.error().message);
  require(engine::manifest_to_json(*again) == written, "a manifest survives a write and a read", text);
  return 0;
}
