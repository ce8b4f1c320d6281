#include <rio/kernel/ssh/upload_source.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace rio::kernel::ssh {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t block = 512;

class file_source final : public upload_source {
 public:
  file_source(const fs::path& path, std::uint64_t size) : in_(path, std::ios::binary), size_(size) {}
  bool good() const { return static_cast<bool>(in_); }
  result<std::size_t> read(std::span<char> out) override {
    in_.read(out.data(), static_cast<std::streamsize>(out.size()));
    if (in_.bad()) return fail(errc::upload_failed, "reading the local file failed");
    return static_cast<std::size_t>(in_.gcount());
  }
  bool is_directory() const noexcept override { return false; }
  std::uint64_t payload_bytes() const noexcept override { return size_; }

 private:
  std::ifstream in_;
  std::uint64_t size_;
};

struct tar_entry {
  fs::path path;      // on disk
  std::string name;   // inside the archive, '/'-separated, relative
  bool directory = false;
  std::uint64_t size = 0;
};

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  // width includes the terminating NUL
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

// One ustar header. Names up to 255 bytes are split into prefix (155) and name (100).
result<std::array<char, block>> make_header(const tar_entry& e) {
  std::array<char, block> h{};
  std::string name = e.directory ? e.name + "/" : e.name;
  std::string prefix;
  if (name.size() > 100) {
    auto cut = name.rfind('/', name.size() - 2);
    while (cut != std::string::npos && (cut > 155 || name.size() - cut - 1 > 100)) {
      cut = cut == 0 ? std::string::npos : name.rfind('/', cut - 1);
    }
    if (cut == std::string::npos) return fail(errc::upload_failed, "path too long for an upload: " + e.name);
    prefix = name.substr(0, cut);
    name = name.substr(cut + 1);
  }
  std::memcpy(h.data(), name.data(), name.size());
  put_octal(h.data() + 100, 8, e.directory ? 0755 : 0644);
  put_octal(h.data() + 108, 8, 0);
  put_octal(h.data() + 116, 8, 0);
  put_octal(h.data() + 124, 12, e.directory ? 0 : e.size);
  put_octal(h.data() + 136, 12, 0);
  h[156] = e.directory ? '5' : '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memcpy(h.data() + 345, prefix.data(), prefix.size());
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

class tar_source final : public upload_source {
 public:
  explicit tar_source(std::vector<tar_entry> entries) : entries_(std::move(entries)) {
    for (const auto& e : entries_) payload_ += e.size;
  }
  bool is_directory() const noexcept override { return true; }
  std::uint64_t payload_bytes() const noexcept override { return payload_; }

  result<std::size_t> read(std::span<char> out) override {
    std::size_t written = 0;
    while (written < out.size()) {
      if (pending_.empty()) {
        auto more = refill();
        if (!more) return more.error();
        if (!*more) break;
      }
      std::size_t n = std::min(out.size() - written, pending_.size() - offset_);
      std::memcpy(out.data() + written, pending_.data() + offset_, n);
      written += n;
      offset_ += n;
      if (offset_ == pending_.size()) {
        pending_.clear();
        offset_ = 0;
      }
    }
    return written;
  }

 private:
  // Queues the next piece: a header, a chunk of file data (padded to 512 bytes at the end of the
  // file), or the two zero blocks that end the archive. Returns false when everything was sent.
  result<bool> refill() {
    if (file_) {
      std::array<char, 64 * 1024> chunk{};
      file_->read(chunk.data(), chunk.size());
      auto n = static_cast<std::size_t>(file_->gcount());
      if (file_->bad()) return fail(errc::upload_failed, "reading " + entries_[index_ - 1].path.string() + " failed");
      pending_.assign(chunk.data(), n);
      remaining_ -= std::min<std::uint64_t>(remaining_, n);
      if (n == 0 || remaining_ == 0) {
        // The file may have shrunk since it was listed: pad with zeros to the announced size.
        pending_.append(static_cast<std::size_t>(remaining_), '\0');
        std::size_t size = static_cast<std::size_t>(entries_[index_ - 1].size);
        pending_.append((block - size % block) % block, '\0');
        file_.reset();
      }
      return true;
    }
    if (index_ < entries_.size()) {
      const tar_entry& e = entries_[index_++];
      auto header = make_header(e);
      if (!header) return header.error();
      pending_.assign(header->data(), header->size());
      if (!e.directory && e.size > 0) {
        file_ = std::make_unique<std::ifstream>(e.path, std::ios::binary);
        if (!*file_) return fail(errc::upload_failed, "cannot open " + e.path.string());
        remaining_ = e.size;
      }
      return true;
    }
    if (!finished_) {
      pending_.assign(2 * block, '\0');
      finished_ = true;
      return true;
    }
    return false;
  }

  std::vector<tar_entry> entries_;
  std::size_t index_ = 0;
  std::unique_ptr<std::ifstream> file_;
  std::uint64_t remaining_ = 0;
  std::string pending_;
  std::size_t offset_ = 0;
  std::uint64_t payload_ = 0;
  bool finished_ = false;
};

}  // namespace

result<std::unique_ptr<upload_source>> upload_source::open(const fs::path& local) {
  std::error_code ec;
  auto status = fs::symlink_status(local, ec);
  if (ec) return fail(errc::upload_failed, "cannot read " + local.string() + ": " + ec.message());
  if (fs::is_regular_file(status)) {
    auto size = fs::file_size(local, ec);
    auto source = std::make_unique<file_source>(local, ec ? 0 : size);
    if (!source->good()) return fail(errc::upload_failed, "cannot open " + local.string());
    return std::unique_ptr<upload_source>{std::move(source)};
  }
  if (!fs::is_directory(status)) return fail(errc::upload_failed, local.string() + " is neither a file nor a directory");

  std::vector<tar_entry> entries;
  for (auto it = fs::recursive_directory_iterator(local, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    auto st = it->symlink_status(ec);
    if (ec) break;
    tar_entry e;
    e.path = it->path();
    e.name = fs::relative(it->path(), local).generic_string();
    if (fs::is_directory(st)) {
      e.directory = true;
    } else if (fs::is_regular_file(st)) {
      e.size = it->file_size(ec);
    } else {
      return fail(errc::upload_failed, "refusing to upload " + it->path().string() + ": not a regular file or directory");
    }
    entries.push_back(std::move(e));
  }
  if (ec) return fail(errc::upload_failed, "cannot list " + local.string() + ": " + ec.message());
  // Parents before children and a stable order, so the archive is reproducible.
  std::sort(entries.begin(), entries.end(), [](const tar_entry& a, const tar_entry& b) { return a.name < b.name; });
  return std::unique_ptr<upload_source>{std::make_unique<tar_source>(std::move(entries))};
}

}  // namespace rio::kernel::ssh
