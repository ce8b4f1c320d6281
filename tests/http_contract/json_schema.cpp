#include "json_schema.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <stdexcept>

namespace rio::test::contract {
namespace json = boost::json;

namespace {

std::string kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "?";
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "integer") return v.is_int64() || v.is_uint64() || (v.is_double() && std::floor(v.get_double()) == v.get_double());
  if (type == "number") return v.is_number();
  return kind_of(v) == type;
}

double number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return number(a) == number(b);
  return a == b;
}

std::string shown(const json::value& v) {
  std::string s = json::serialize(v);
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

}  // namespace

const json::value* schema_validator::pointer(std::string_view ref) const {
  if (!ref.starts_with("#/")) return nullptr;
  const json::value* at = nullptr;
  const json::object* o = &doc_;
  ref.remove_prefix(2);
  while (true) {
    auto slash = ref.find('/');
    std::string key{ref.substr(0, slash)};
    if (o == nullptr) return nullptr;
    at = o->if_contains(key);
    if (at == nullptr) return nullptr;
    if (slash == std::string_view::npos) return at;
    o = at->if_object();
    ref.remove_prefix(slash + 1);
  }
}

const json::object& schema_validator::resolve(const json::value& schema) const {
  const json::value* s = &schema;
  for (int hops = 0; hops < 32; ++hops) {
    if (!s->is_object()) throw std::runtime_error("schema is not an object: " + shown(*s));
    const auto* ref = s->get_object().if_contains("$ref");
    if (ref == nullptr) return s->get_object();
    const json::value* next = pointer(ref->as_string());
    if (next == nullptr) throw std::runtime_error("dangling $ref " + std::string{ref->as_string()});
    s = next;
  }
  throw std::runtime_error("$ref loop");
}

std::vector<std::string> schema_validator::validate(const json::value& value, const json::value& schema, bool documented) const {
  std::vector<std::string> out;
  check(value, schema, "$", documented, false, out);
  return out;
}

bool schema_validator::known_fields(const json::object& s, std::set<std::string>& names) const {
  if (s.contains("additionalProperties")) return false;
  if (const auto* p = s.if_contains("properties")) {
    for (const auto& [k, ignored] : p->as_object()) names.emplace(k);
  }
  if (const auto* all = s.if_contains("allOf")) {
    for (const auto& branch : all->as_array()) {
      if (!known_fields(resolve(branch), names)) return false;
    }
  }
  return true;
}

void schema_validator::check(const json::value& v, const json::value& schema, const std::string& at, bool documented,
                             bool fields_checked_above, std::vector<std::string>& out) const {
  const json::object& s = resolve(schema);
  if (v.is_null()) {
    const auto* nullable = s.if_contains("nullable");
    if (nullable != nullptr && nullable->as_bool()) return;
  }
  if (const auto* type = s.if_contains("type"); type != nullptr && !has_type(v, type->as_string())) {
    out.push_back(at + ": " + kind_of(v) + " " + shown(v) + " where the document says " + std::string{type->as_string()});
    return;
  }
  if (const auto* e = s.if_contains("enum")) {
    bool listed = false;
    for (const auto& allowed : e->as_array()) listed = listed || same(v, allowed);
    if (!listed) out.push_back(at + ": " + shown(v) + " is not one of " + shown(*e));
  }
  if (v.is_number()) {
    if (const auto* m = s.if_contains("minimum"); m != nullptr && number(v) < number(*m)) out.push_back(at + ": below minimum " + shown(*m));
    if (const auto* m = s.if_contains("maximum"); m != nullptr && number(v) > number(*m)) out.push_back(at + ": above maximum " + shown(*m));
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (const auto* m = s.if_contains("minItems"); m != nullptr && static_cast<double>(a.size()) < number(*m)) {
      out.push_back(at + ": fewer than " + shown(*m) + " items");
    }
    if (const auto* items = s.if_contains("items")) {
      for (std::size_t i = 0; i < a.size(); ++i) check(a[i], *items, at + "[" + std::to_string(i) + "]", documented, false, out);
    }
  }
  if (v.is_object()) check_object(v.get_object(), s, at, documented, fields_checked_above, out);

  if (const auto* all = s.if_contains("allOf")) {
    // The branches together describe the fields: checked here once, not per branch.
    for (const auto& branch : all->as_array()) check(v, branch, at, documented, true, out);
  }
  for (const char* combinator : {"anyOf", "oneOf"}) {
    const auto* branches = s.if_contains(combinator);
    if (branches == nullptr) continue;
    std::size_t matched = 0;
    std::vector<std::string> why;
    for (const auto& branch : branches->as_array()) {
      std::vector<std::string> problems;
      check(v, branch, at, documented, false, problems);
      if (problems.empty()) {
        ++matched;
      } else {
        why.push_back(problems.front() + (problems.size() > 1 ? " (+" + std::to_string(problems.size() - 1) + " more)" : ""));
      }
    }
    const bool is_one = std::string_view{combinator} == "oneOf";
    if (matched == 0) {
      std::string text = at + ": matches none of " + combinator + ":";
      for (const auto& w : why) text += " [" + w + "]";
      out.push_back(text);
    } else if (is_one && matched > 1) {
      out.push_back(at + ": matches " + std::to_string(matched) + " branches of oneOf (exactly one must match)");
    }
  }
}

void schema_validator::check_object(const json::object& o, const json::object& s, const std::string& at, bool documented,
                                    bool fields_checked_above, std::vector<std::string>& out) const {
  if (const auto* required = s.if_contains("required")) {
    for (const auto& name : required->as_array()) {
      if (!o.contains(name.as_string())) out.push_back(at + ": missing required field '" + std::string{name.as_string()} + "'");
    }
  }
  const json::object* props = s.contains("properties") ? &s.at("properties").as_object() : nullptr;
  const json::value* additional = s.if_contains("additionalProperties");
  std::set<std::string> known;
  const bool closed = documented && !fields_checked_above && (props != nullptr || s.contains("allOf")) && known_fields(s, known);
  for (const auto& [key, value] : o) {
    const std::string name{key};
    const std::string here = at + "." + name;
    if (props != nullptr) {
      if (const auto* p = props->if_contains(key)) {
        check(value, *p, here, documented, false, out);
        continue;
      }
    }
    if (additional != nullptr) {
      if (additional->is_bool()) {
        if (!additional->get_bool()) out.push_back(here + ": field not allowed");
      } else {
        check(value, *additional, here, documented, false, out);
      }
    } else if (closed && !known.contains(name)) {
      out.push_back(here + ": field not in the document");
    }
  }
}

}  // namespace rio::test::contract
