// The server's way into read_install_body: the cheap checks on the event loop, the vault read on
// the vault worker (a passphrase vault costs seconds of Argon2id), then the body read again with
// the provider's fields in hand. A file of its own because it is a coroutine: the fuzz build
// (clang 14) compiles install_body.cpp and cannot assemble coroutines there.
#include "install_body.hpp"

#include "api_state.hpp"
#include "vault_worker.hpp"

namespace rio::http::detail {
namespace json = boost::json;

namespace {

// engine::read_provider's rule, on a vault the worker opened (it shares the server's stretches).
kernel::result<vault::provider_view> provider_fields(vault::vault& v, const std::string& provider) {
  auto view = v.get(provider);
  if (!view) return view.error();
  if (!view->present) {
    return kernel::fail(kernel::errc::bad_request,
                        "secrets provider '" + provider + "' is not in the vault and has no environment overrides");
  }
  return std::move(*view);
}

}  // namespace

boost::asio::awaitable<std::variant<install_call, body_error>> read_install_body(const json::object& body, api_state& state) {
  // First pass on the loop, as far as the vault: cheap checks only. A request that gets that far
  // has its provider read on the vault worker, and the body is then read again with it in hand.
  std::optional<std::string> wanted;
  body_context first{state.registry, state.config, state.paths, &state.vault_events, [&wanted](const std::string& provider) {
                       wanted = provider;
                       return kernel::result<vault::provider_view>{kernel::fail(kernel::errc::bad_request, "read later")};
                     }};
  auto checked = read_install_body(body, first);
  if (!wanted) co_return std::move(checked);
  const std::string provider = *wanted;
  auto read = [&provider](vault::vault& v) { return provider_fields(v, provider); };
  auto fields = co_await state.vault.run(read);
  body_context second{state.registry, state.config, state.paths, &state.vault_events,
                      [&fields](const std::string&) { return std::move(fields); }};
  co_return read_install_body(body, second);
}

}  // namespace rio::http::detail
