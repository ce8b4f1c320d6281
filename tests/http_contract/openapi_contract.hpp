#pragma once
// Checks live exchanges against the OpenAPI document the server serves: the path and method are
// documented (else 404, or 405 with Allow naming the documented methods), the status is a
// documented response, the content type is documented, required headers are there, and the body
// validates against the documented schema (each event of an event stream against
// "x-rio-events"). Records which (path, method, status) triples happened, so a test can require
// that every documented response was seen: the document cannot describe what does not exist.

#include "contract_support.hpp"
#include "json_schema.hpp"

#include <boost/json/object.hpp>

#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace rio::test::contract {

struct request {
  std::string method;
  std::string target;  ///< path and query
  std::string body;
  int expect = 200;    ///< 0: any status the document lists for the operation
  header_list headers = {};
  read_limits limits = {};
};

using triple = std::tuple<std::string, std::string, int>;  ///< path template, METHOD, status

class api_contract {
 public:
  explicit api_contract(boost::json::object document);
  api_contract(const api_contract&) = delete;  // the validator refers to doc_
  api_contract& operator=(const api_contract&) = delete;

  /** Sends `r`, checks the reply against `r.expect` and the document (gtest failures), returns it. */
  reply exchange(std::uint16_t port, const request& r);

  /** Every documented (path, method, status). */
  std::set<triple> documented() const;
  const std::set<triple>& seen() const { return seen_; }
  bool saw_405() const { return saw_405_; }
  bool saw_404_no_route() const { return saw_no_route_; }

  const boost::json::object& document() const { return doc_; }
  const schema_validator& validator() const { return validator_; }
  /** The documented path template matching `path` ("/api/remote/runs/{run_id}"), or "". */
  std::string path_template(const std::string& path) const;

 private:
  void check_body(const std::string& what, const reply& got, const boost::json::object& response, const std::string& sent_id);
  void check_events(const std::string& what, const reply& got, const boost::json::object& media);
  void check_query(const std::string& what, const request& r, const std::string& tmpl, const boost::json::object& op);
  void check_request_body(const std::string& what, const request& r, const boost::json::object& op);

  boost::json::object doc_;
  schema_validator validator_;
  std::set<triple> seen_;
  bool saw_405_ = false;
  bool saw_no_route_ = false;
  int counter_ = 0;
};

}  // namespace rio::test::contract
