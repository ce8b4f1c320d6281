// `rio serve`: the REST API on 127.0.0.1:8001 until SIGINT or SIGTERM.
#include <rio/kernel/cli_command.hpp>

#include "cli_options.hpp"

#include <rio/http/server.hpp>
#include <rio/http/token_file.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <charconv>
#include <csignal>
#include <functional>
#include <ostream>

namespace rio::kernel {
namespace asio = boost::asio;
namespace {

std::optional<std::size_t> number(const std::string& text, std::size_t max) {
  std::size_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || ptr != text.data() + text.size() || n > max) return std::nullopt;
  return n;
}

// The API token from --token-file, else $RIO_API_TOKEN; false (reported) when it is unusable.
bool api_token(const std::string& token_file, http::server_options& options, const cli_io& io) {
  if (!token_file.empty()) {
    auto token = http::read_token_file(token_file);
    if (!token) {
      io.err << "rio: serve: " << token.error().message << "\n";
      return false;
    }
    options.token = std::move(*token);
  } else if (auto env = io.env ? io.env("RIO_API_TOKEN") : std::nullopt; env && !env->empty()) {
    if (env->size() < http::min_token_length) {
      io.err << "rio: serve: RIO_API_TOKEN is shorter than 16 characters\n";
      return false;
    }
    options.token = vault::secret{*env};
  }
  return true;
}

// The server's options from the command line; a usage error is returned as its message.
result<http::server_options> server_options_from(const cli_detail::parsed_options& p) {
  http::server_options options;
  if (p.has("--host")) options.address = p.value("--host");
  if (p.has("--port")) {
    auto n = number(p.value("--port"), 65535);
    if (!n) return fail(errc::bad_usage, "--port must be 0-65535");
    options.port = static_cast<std::uint16_t>(*n);
  }
  options.allowed_hosts = p.all("--allow-host");
  if (p.has("--max-webhooks")) {
    auto n = number(p.value("--max-webhooks"), 10000);
    if (!n) return fail(errc::bad_usage, "--max-webhooks must be 0-10000");
    options.max_webhooks = *n;
  }
  return options;
}

void print_listening(const cli_io& io, const http::server& srv, const http::server_options& options, const settings& cfg) {
  auto ep = srv.local_endpoint();
  io.out << "rio: serving the REST API on http://" << ep.address().to_string() << ":" << ep.port()
         << (options.token ? " (API token required)" : "") << "\n"
         << "  root: " << cfg.root.string() << "; POST /install and GET /status need "
         << "features.enable_remote_installer = true in " << (cfg.root / "config/comfyvn.json").string() << "\n"
         << std::flush;
}

// Serves until a signal; the exit status.
int serve_until_signal(asio::io_context& ctx, std::unique_ptr<http::server>& srv, const cli_io& io) {
  // First signal: stop accepting, cancel runs (they record themselves), and leave once they have.
  asio::signal_set signals{ctx, SIGINT, SIGTERM};
  asio::steady_timer drain{ctx};
  std::function<void()> wait_runs;
  int signalled = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    signalled = sig;
    io.err << "rio: serve: stopping (signal " << sig << "): cancelling runs in flight\n" << std::flush;
    srv->stop();
    wait_runs();
  });
  wait_runs = [&] {
    drain.expires_after(std::chrono::milliseconds{100});
    drain.async_wait([&](const boost::system::error_code&) {
      if (srv->active_runs() == 0) {
        ctx.stop();
      } else {
        wait_runs();
      }
    });
  };
  ctx.run();
  srv.reset();
  return signalled == SIGINT || signalled == SIGTERM ? kernel::exit_ok : kernel::exit_failed;
}

}  // namespace

int cli_serve(const kernel::cli_args& args, const kernel::cli_io& io) {
  auto p = cli_detail::parse_options(find_command("serve")->options, args.rest);
  if (!p) return usage_error(io, "serve", p.error().message);
  if (!p->positional.empty()) return usage_error(io, "serve", "takes no operands, got '" + p->positional.front() + "'");
  auto options = server_options_from(*p);
  if (!options) return usage_error(io, "serve", options.error().message);
  auto cfg = kernel::settings_or_report(args, io);
  if (!cfg) return kernel::exit_failed;
  if (!api_token(p->value("--token-file"), *options, io)) return kernel::exit_failed;

  // What start-up skipped (webhooks), running out of descriptors: the operator hears of it here.
  options->log = [&io](const std::string& line) { io.err << line << "\n" << std::flush; };
  asio::io_context ctx;
  auto srv = http::server::start(ctx, *options, http::api_config{*cfg, io.env});
  if (!srv) {
    io.err << "rio: serve: " << srv.error().message << "\n";
    return kernel::exit_failed;
  }
  print_listening(io, **srv, *options, *cfg);
  return serve_until_signal(ctx, *srv, io);
}

}  // namespace rio::kernel
