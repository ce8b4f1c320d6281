#include "openapi_contract.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace rio::test::contract {
namespace json = boost::json;

namespace {

const char* const http_methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

bool is_method(std::string_view key) {
  return std::find(std::begin(http_methods), std::end(http_methods), key) != std::end(http_methods);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) out.push_back(path.substr(start, slash - start));
  out.push_back(path.substr(start));
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower_case(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

std::string problems_text(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += "\n    " + p;
  return text;
}

std::string excerpt(const std::string& body) { return body.size() > 600 ? body.substr(0, 600) + "..." : body; }

}  // namespace

api_contract::api_contract(json::object document) : doc_(std::move(document)), validator_(doc_) {}

std::string api_contract::path_template(const std::string& path) const {
  const auto parts = split_path(path);
  for (const auto& [tmpl, item] : doc_.at("paths").as_object()) {
    const auto want = split_path(std::string{tmpl});
    if (want.size() != parts.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < want.size() && match; ++i) {
      const bool variable = want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}';
      match = variable ? !parts[i].empty() : want[i] == parts[i];
    }
    if (match) return std::string{tmpl};
  }
  return {};
}

std::set<triple> api_contract::documented() const {
  std::set<triple> out;
  for (const auto& [tmpl, item] : doc_.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!is_method(method)) continue;
      for (const auto& [status, ignored] : op.at("responses").as_object()) {
        out.emplace(std::string{tmpl}, upper(std::string{method}), std::stoi(std::string{status}));
      }
    }
  }
  return out;
}

reply api_contract::exchange(std::uint16_t port, const request& r) {
  const std::string sent_id = "contract-" + std::to_string(++counter_);
  header_list headers = r.headers;
  headers.emplace_back("X-Request-ID", sent_id);
  reply got = http_request(port, r.method, r.target, r.body, headers, r.limits);
  const std::string what = r.method + " " + r.target.substr(0, 160) + (r.body.empty() ? "" : " " + r.body.substr(0, 160));
  if (r.expect != 0) {
    EXPECT_EQ(got.status, r.expect) << what << "\n  -> " << excerpt(got.body);
  }
  EXPECT_NE(got.status, 0) << what << ": no answer";
  if (got.status == 0) return got;

  EXPECT_FALSE(got.header("x-request-id").empty()) << what << ": no X-Request-ID";
  // Every answer echoes a printable id, a 413 decided from the headers included.
  EXPECT_EQ(got.header("x-request-id"), sent_id) << what;

  const std::string path = r.target.substr(0, r.target.find('?'));
  const std::string tmpl = path_template(path);
  const auto& components = doc_.at("components").as_object().at("responses").as_object();
  if (tmpl.empty()) {
    EXPECT_EQ(got.status, 404) << what << ": a path the document does not list must be 404";
    saw_no_route_ = saw_no_route_ || got.status == 404;
    check_body(what, got, validator_.resolve(components.at("NoRoute")), sent_id);
    return got;
  }
  const json::object& item = doc_.at("paths").as_object().at(tmpl).as_object();
  const json::value* op = item.if_contains(lower_case(r.method));
  if (op == nullptr) {
    EXPECT_EQ(got.status, 405) << what << ": a method the document does not list for " << tmpl << " must be 405";
    saw_405_ = saw_405_ || got.status == 405;
    std::set<std::string> listed, allowed;
    for (const auto& [m, ignored] : item) {
      if (is_method(m)) listed.insert(upper(std::string{m}));
    }
    std::string allow = got.header("allow");
    for (std::size_t start = 0; start <= allow.size();) {
      auto comma = allow.find(',', start);
      if (auto m = trim(allow.substr(start, comma - start)); !m.empty()) allowed.insert(m);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    EXPECT_EQ(allowed, listed) << what << ": Allow must name exactly the documented methods of " << tmpl;
    check_body(what, got, validator_.resolve(components.at("MethodNotAllowed")), sent_id);
    return got;
  }

  const json::object& responses = op->as_object().at("responses").as_object();
  const json::value* response = responses.if_contains(std::to_string(got.status));
  if (response == nullptr) {
    ADD_FAILURE() << what << ": status " << got.status << " is not documented for " << r.method << " " << tmpl << "\n  -> "
                  << excerpt(got.body);
    return got;
  }
  seen_.emplace(tmpl, upper(r.method), got.status);
  check_body(what, got, validator_.resolve(*response), sent_id);
  check_query(what, r, tmpl, op->as_object());
  if (got.status >= 200 && got.status < 300) check_request_body(what, r, op->as_object());
  return got;
}

void api_contract::check_body(const std::string& what, const reply& got, const json::object& response, const std::string& sent_id) {
  if (const auto* headers = response.if_contains("headers")) {
    for (const auto& [name, h] : headers->as_object()) {
      const auto& header = validator_.resolve(h);
      const auto* required = header.if_contains("required");
      if (required != nullptr && required->as_bool()) {
        EXPECT_FALSE(got.header(lower_case(std::string{name})).empty()) << what << ": documented header " << name << " missing";
      }
    }
  }
  const auto* content = response.if_contains("content");
  std::string type = got.header("content-type");
  type = trim(type.substr(0, type.find(';')));
  if (content == nullptr) {
    EXPECT_TRUE(got.body.empty()) << what << ": the document says no body";
    return;
  }
  const json::value* media = content->as_object().if_contains(type);
  if (media == nullptr) {
    ADD_FAILURE() << what << ": content type '" << type << "' is not documented for status " << got.status;
    return;
  }
  if (type == "text/event-stream") return check_events(what, got, media->as_object());
  json::value body = parse_json(got.body);
  if (got.body.empty() || (body.is_null() && got.body != "null")) {
    ADD_FAILURE() << what << ": the body is not JSON: " << excerpt(got.body);
    return;
  }
  auto problems = validator_.validate(body, media->as_object().at("schema"));
  EXPECT_TRUE(problems.empty()) << what << " -> " << got.status << " does not match the document:" << problems_text(problems)
                                << "\n  body: " << excerpt(got.body);
  // Error envelopes carry the request id the response header carries.
  if (const auto* id = body.is_object() ? body.get_object().if_contains("request_id") : nullptr; id != nullptr) {
    EXPECT_EQ(id->is_string() ? std::string{id->get_string()} : std::string{}, sent_id) << what;
  }
}

void api_contract::check_events(const std::string& what, const reply& got, const json::object& media) {
  const auto* described = media.if_contains("x-rio-events");
  if (described == nullptr) {
    ADD_FAILURE() << what << ": an event stream without x-rio-events";
    return;
  }
  auto events = parse_events(got.body);
  if (!got.cut) {
    // A stream the server ended (not one the client left) ends with `end`.
    ASSERT_FALSE(events.empty()) << what << ": an empty event stream";
    EXPECT_EQ(events.back().event, "end") << what << ": a finite stream ends with `end`";
  }
  for (const auto& e : events) {
    const json::value* doc_event = described->as_object().if_contains(e.event);
    if (doc_event == nullptr) {
      ADD_FAILURE() << what << ": event '" << e.event << "' is not documented";
      continue;
    }
    EXPECT_FALSE(e.id.empty() || !std::all_of(e.id.begin(), e.id.end(), [](unsigned char c) { return std::isdigit(c); }))
        << what << ": event id '" << e.id << "'";
    if (doc_event->as_object().at("data").as_string() != "json") continue;
    json::value data = parse_json(e.data);
    if (data.is_null()) {
      ADD_FAILURE() << what << ": event " << e.event << " data is not JSON: " << excerpt(e.data);
      continue;
    }
    auto problems = validator_.validate(data, doc_event->as_object().at("schema"));
    EXPECT_TRUE(problems.empty()) << what << ": event " << e.event << " does not match the document:" << problems_text(problems)
                                  << "\n  data: " << excerpt(e.data);
  }
}

void api_contract::check_query(const std::string& what, const request& r, const std::string& tmpl, const json::object& op) {
  std::set<std::string> names, required;
  auto collect = [&](const json::value* params) {
    if (params == nullptr) return;
    for (const auto& p : params->as_array()) {
      const auto& param = validator_.resolve(p);
      if (param.at("in").as_string() != "query") continue;
      names.emplace(param.at("name").as_string());
      if (const auto* req = param.if_contains("required"); req != nullptr && req->as_bool()) required.emplace(param.at("name").as_string());
    }
  };
  collect(doc_.at("paths").as_object().at(tmpl).as_object().if_contains("parameters"));
  collect(op.if_contains("parameters"));
  std::set<std::string> used;
  if (auto q = r.target.find('?'); q != std::string::npos) {
    std::string query = r.target.substr(q + 1);
    for (std::size_t start = 0; start < query.size();) {
      auto amp = query.find('&', start);
      std::string pair = query.substr(start, amp - start);
      used.insert(pair.substr(0, pair.find('=')));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  for (const auto& u : used) EXPECT_TRUE(names.contains(u)) << what << ": query parameter '" << u << "' is not documented";
  if (r.expect >= 200 && r.expect < 300) {
    for (const auto& q : required) EXPECT_TRUE(used.contains(q)) << what << ": succeeded without the required parameter " << q;
  }
}

void api_contract::check_request_body(const std::string& what, const request& r, const json::object& op) {
  const auto* body = op.if_contains("requestBody");
  if (body == nullptr) return;
  const auto* required = body->as_object().if_contains("required");
  if (r.body.empty() && (required == nullptr || !required->as_bool())) return;
  json::value sent = parse_json(r.body);
  ASSERT_FALSE(sent.is_null()) << what << ": a successful request whose body is not JSON";
  auto problems = validator_.validate(sent, body->as_object().at("content").as_object().at("application/json").as_object().at("schema"));
  EXPECT_TRUE(problems.empty()) << what << ": the request body the server accepted does not match the document:" << problems_text(problems);
}

}  // namespace rio::test::contract
