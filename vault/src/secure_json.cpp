#include <rio/vault/secure_json.hpp>

#include <boost/json/memory_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serializer.hpp>

#include <new>

#include <string.h>  // explicit_bzero

namespace rio::vault {
namespace {

class wiping_resource final : public boost::json::memory_resource {
  // Boost.JSON does not always pass the same alignment to allocate and deallocate (strings ask
  // for 1, frees may say 16), so both sides use plain new/delete unless over-aligned.
  static bool over_aligned(std::size_t align) noexcept { return align > __STDCPP_DEFAULT_NEW_ALIGNMENT__; }

  void* do_allocate(std::size_t n, std::size_t align) override {
    return over_aligned(align) ? ::operator new(n, std::align_val_t{align}) : ::operator new(n);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    ::explicit_bzero(p, n);
    if (over_aligned(align)) {
      ::operator delete(p, std::align_val_t{align});
    } else {
      ::operator delete(p);
    }
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

}  // namespace

boost::json::storage_ptr secure_storage() noexcept {
  // Never destroyed: values in secure storage may outlive any function-local owner.
  static wiping_resource* const instance = new wiping_resource;
  return boost::json::storage_ptr{instance};
}

std::optional<boost::json::value> parse_secure(std::string_view text, std::string& what) {
  boost::json::parser p{secure_storage(), {}};
  p.reset(secure_storage());
  boost::system::error_code ec;
  // parser::write takes the whole document: incomplete or trailing input is an error.
  p.write(text.data(), text.size(), ec);
  if (ec) {
    what = ec.message();
    return std::nullopt;
  }
  return p.release();
}

namespace {

template <class T>
secret serialize_into_secret(const T& v) {
  boost::json::serializer sr;
  sr.reset(&v);
  secret out;
  char chunk[1024];
  while (!sr.done()) {
    auto piece = sr.read(chunk, sizeof chunk);
    out.append(std::string_view{piece.data(), piece.size()});
  }
  ::explicit_bzero(chunk, sizeof chunk);
  return out;
}

}  // namespace

secret serialize_secure(const boost::json::value& v) { return serialize_into_secret(v); }
secret serialize_secure(const boost::json::object& o) { return serialize_into_secret(o); }

}  // namespace rio::vault
