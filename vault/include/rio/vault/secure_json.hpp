#pragma once
// JSON that may hold secret values lives in memory that is zeroed when freed. Every value the
// vault hands out (provider fields, merged connection fields) uses secure_storage(); copying such
// a value without passing the storage (json::value(v, secure_storage())) leaves the copy in
// ordinary memory.

#include <rio/vault/error.hpp>
#include <rio/vault/secret.hpp>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rio::vault {

/** A process-wide memory resource that wipes every block before releasing it. Thread-safe. */
boost::json::storage_ptr secure_storage() noexcept;

/** Parses JSON into secure storage (the parser's scratch space included). On failure returns
    nullopt and sets `what` to the parser's message, which never quotes the input. */
std::optional<boost::json::value> parse_secure(std::string_view text, std::string& what);

/** Compact JSON in wiping memory. */
secret serialize_secure(const boost::json::value& v);
secret serialize_secure(const boost::json::object& o);

}  // namespace rio::vault
