#pragma once
// A JSON Schema validator for the subset rio's OpenAPI document uses: type (with OpenAPI 3.0's
// nullable), enum, properties, required, additionalProperties, items, minItems, minimum, maximum,
// allOf, anyOf, oneOf and local $ref ("#/components/..."). Other keywords (description, example,
// default, format) do not constrain.
//
// "Documented" mode is stricter than JSON Schema on purpose: an object field that the schema's
// `properties` (or those of its allOf branches) do not list is a problem unless the schema says
// `additionalProperties` itself. The document stays permissive for clients (it never says
// "additionalProperties": false), and the test still catches a field rio sends that the document
// does not describe.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rio::test::contract {

class schema_validator {
 public:
  /** `document` resolves every $ref; it must outlive the validator. */
  explicit schema_validator(const boost::json::object& document) : doc_(document) {}

  /** The value at a local reference ("#/components/schemas/Error"), or null. */
  const boost::json::value* pointer(std::string_view ref) const;
  /** Follows $ref until a schema object that is not a reference (throws on a dangling one). */
  const boost::json::object& resolve(const boost::json::value& schema) const;

  /** Problems, each "<json path>: <what>"; empty when `value` is valid. */
  std::vector<std::string> validate(const boost::json::value& value, const boost::json::value& schema,
                                    bool documented = true) const;

 private:
  void check(const boost::json::value& v, const boost::json::value& schema, const std::string& at, bool documented,
             bool fields_checked_above, std::vector<std::string>& out) const;
  void check_object(const boost::json::object& o, const boost::json::object& s, const std::string& at, bool documented,
                    bool fields_checked_above, std::vector<std::string>& out) const;
  /** Fields the schema names (with allOf branches); false when it leaves other fields open. */
  bool known_fields(const boost::json::object& s, std::set<std::string>& names) const;

  const boost::json::object& doc_;
};

}  // namespace rio::test::contract
