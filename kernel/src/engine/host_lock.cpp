#include <rio/kernel/engine/host_lock.hpp>

#include <rio/kernel/engine/durable_file.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace rio::kernel::engine {
namespace asio = boost::asio;

namespace {

std::string holder_of(int fd) {
  char buf[256];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  std::string text{buf, static_cast<std::size_t>(n)};
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace

namespace {

// Whether `fd` is still the file at `file`: a holder that finished removes the file, so a lock
// taken on a descriptor opened before that removal guards nothing any more.
bool still_at(int fd, const std::filesystem::path& file) {
  struct stat held {}, now {};
  return ::fstat(fd, &held) == 0 && ::lstat(file.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
         held.st_ino == now.st_ino;
}

}  // namespace

result<host_lock> host_lock::try_acquire(const std::filesystem::path& file, const std::string& host,
                                         const std::string& run_id) {
  if (auto dir = ensure_directory(file.parent_path()); !dir) return dir.error();
  // Each round that meets a removed file means another run finished in between; a few rounds
  // always suffice, the bound only keeps a pathological directory from spinning for ever.
  for (int round = 0; round < 100; ++round) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return fail(errc::io_error, "cannot open lock " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      std::string holder = holder_of(fd);
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return fail(errc::host_busy, "a run is already in progress on " + host +
                                         (holder.empty() ? std::string{} : " (" + holder + ")") +
                                         "; wait for it to finish, or pass --wait to queue behind it");
      }
      return fail(errc::io_error, "cannot lock " + file.string() + ": " + std::strerror(err));
    }
    if (!still_at(fd, file)) {
      ::close(fd);
      continue;
    }
    std::string note = "pid " + std::to_string(::getpid()) + ", run " + run_id + "\n";
    if (::ftruncate(fd, 0) == 0) {
      [[maybe_unused]] auto ignored = ::pwrite(fd, note.data(), note.size(), 0);
    }
    return host_lock{fd, file};
  }
  return fail(errc::io_error, "cannot lock " + file.string() + ": it kept being replaced");
}

asio::awaitable<result<host_lock>> host_lock::acquire(std::filesystem::path file, std::string host, std::string run_id,
                                                       std::chrono::seconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  asio::steady_timer timer{co_await asio::this_coro::executor};
  for (;;) {
    auto lock = try_acquire(file, host, run_id);
    if (lock || lock.error().code != make_error_code(errc::host_busy) || std::chrono::steady_clock::now() >= deadline) {
      co_return lock;
    }
    // flock has no asynchronous form; polling keeps the executor free for other hosts.
    timer.expires_after(std::chrono::milliseconds{200});
    auto [ec] = co_await timer.async_wait(sdk::use_nothrow);
    if (ec) co_return sdk::fail(sdk::errc::cancelled, "waiting for the lock on " + host + " was cancelled");
  }
}

host_lock::host_lock(host_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), file_(std::move(other.file_)) {}

host_lock& host_lock::operator=(host_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    file_ = std::move(other.file_);
  }
  return *this;
}

host_lock::~host_lock() { release(); }

void host_lock::release() noexcept {
  if (fd_ < 0) return;
  // Removed while still held, and only while the name is still this file: a run that opened it
  // meanwhile sees it gone once it gets the lock and starts over on a fresh file (try_acquire),
  // so two runs never hold locks on two different files for one host.
  if (still_at(fd_, file_)) ::unlink(file_.c_str());
  ::close(fd_);  // closing the last descriptor releases the flock
  fd_ = -1;
}

}  // namespace rio::kernel::engine
