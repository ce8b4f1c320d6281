// Security regressions (issue 26, points 12 and 13): the bearer token is compared whole (a test
// now fails if the comparison's length check is dropped), the token file must be private, every
// answer echoes only a printable X-Request-ID, and HTTP/1.1 without Host is refused before a body.
#include "security_support.hpp"

#include "../../http/src/http_error.hpp"
#include <rio/http/token_file.hpp>

#include <sys/stat.h>

namespace rio::test::security {
namespace {

const std::string token = "the-right-token-0123456789abcdef";

int status_with(const api_server& api, const std::string& authorization) {
  return api.get("/api/health", {{"Authorization", authorization}}).status;
}

TEST(SecurityToken, OnlyTheWholeTokenIsAccepted) {
  temp_dir root;
  api_server api{root.path(), true, token};
  EXPECT_EQ(status_with(api, "Bearer " + token), 200);
  EXPECT_EQ(status_with(api, "bearer " + token), 200) << "the scheme is case-insensitive";
  // The right token with anything after it: a comparison that stops at the configured length lets it in.
  for (const std::string& suffix : std::vector<std::string>{"x", "0", " x", token}) {
    auto r = api.get("/api/health", {{"Authorization", "Bearer " + token + suffix}});
    EXPECT_EQ(r.status, 401) << "suffix '" << suffix << "'";
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
  }
  // The right token cut short, down to nothing.
  for (std::size_t keep : {token.size() - 1, token.size() / 2, std::size_t{1}, std::size_t{0}}) {
    EXPECT_EQ(status_with(api, "Bearer " + token.substr(0, keep)), 401) << keep << " characters";
  }
  EXPECT_EQ(status_with(api, token), 401) << "no scheme";
  EXPECT_EQ(status_with(api, "Basic " + token), 401);
  EXPECT_EQ(api.get("/api/health").status, 401);
}

fs::path token_file(const temp_dir& dir, fs::perms mode) {
  auto file = dir.write("api-token", token + "\n");
  fs::permissions(file, mode);
  return file;
}

TEST(SecurityTokenFile, AFileOthersCanReadIsRefusedWithTheFix) {
  temp_dir dir;
  const auto owner_rw = fs::perms::owner_read | fs::perms::owner_write;
  for (auto extra : {fs::perms::others_read, fs::perms::group_read, fs::perms::group_write, fs::perms::others_write}) {
    auto file = token_file(dir, owner_rw | extra);
    auto read = http::read_token_file(file);
    ASSERT_FALSE(read) << "mode " << std::oct << static_cast<unsigned>(owner_rw | extra);
    EXPECT_EQ(read.error().code, make_error_code(http::errc::unsafe_token_file));
    EXPECT_NE(read.error().message.find("chmod 600 " + file.string()), std::string::npos) << read.error().message;
    EXPECT_EQ(read.error().message.find(token), std::string::npos) << "the token itself is never shown";
  }
  auto ok = http::read_token_file(token_file(dir, owner_rw));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->reveal(), token) << "the trailing newline is not part of it";
  EXPECT_FALSE(http::read_token_file(dir.path())) << "a directory";
  EXPECT_FALSE(http::read_token_file(dir.path() / "missing"));
}

TEST(SecurityTokenFile, AFileOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  temp_dir dir;
  auto file = token_file(dir, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  auto read = http::read_token_file(file);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, make_error_code(http::errc::unsafe_token_file));
  EXPECT_NE(read.error().message.find("belongs to uid 65534"), std::string::npos) << read.error().message;
}

// As the operator meets it: `rio serve --token-file` with a 0644 file stops before serving.
TEST(SecurityTokenFile, RioServeRefusesAWorldReadableTokenFile) {
  temp_dir root, dir;
  auto file = token_file(dir, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  serve_process serve{root.path(), dir.path(), {"--token-file", file.string()}, {{"HOME", dir.path().string()}}};
  EXPECT_EQ(serve.port(), 0) << "it served";
  EXPECT_EQ(serve.stop(), 1);
  EXPECT_NE(serve.err().find("chmod 600 " + file.string()), std::string::npos) << serve.err();
}

bool printable(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

// Every answer, the early ones included, echoes a client's X-Request-ID only when it is printable.
TEST(SecurityRequestId, EarlyAnswersEchoOnlyAPrintableRequestId) {
  temp_dir root;
  api_server api{root.path(), true, token};
  const std::string auth = "Authorization: Bearer " + token;
  for (const std::string& bad : std::vector<std::string>{"caf\xc3\xa9-id", "two words", "tab\there", std::string(129, 'a')}) {
    const std::string id_header = "X-Request-ID: " + bad;
    // 413, decided from a declared Content-Length.
    raw_client large{api.port()};
    large.send("POST /api/modder/hooks/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + id_header + "\r\n" +
               auth + "\r\nContent-Length: 5000000\r\n\r\n");
    auto r413 = large.reply(10s);
    ASSERT_TRUE(r413) << bad;
    EXPECT_EQ(r413->status, 413);
    EXPECT_TRUE(printable(r413->headers["x-request-id"]) && r413->headers["x-request-id"] != bad) << r413->headers["x-request-id"];
    // 401, before the body.
    raw_client anonymous{api.port()};
    anonymous.send(request_bytes("POST", "/api/modder/hooks/test", "{}", {id_header}));
    auto r401 = anonymous.reply(10s);
    ASSERT_TRUE(r401) << bad;
    EXPECT_EQ(r401->status, 401);
    EXPECT_TRUE(printable(r401->headers["x-request-id"]) && r401->headers["x-request-id"] != bad);
    EXPECT_EQ(r401->json()["request_id"], json::value(r401->headers["x-request-id"])) << "the envelope carries the same id";
  }
  raw_client good{api.port()};
  good.send("POST /api/modder/hooks/test HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: gui-42\r\n" + auth + "\r\nContent-Length: 5000000\r\n\r\n");
  auto echoed = good.reply(10s);
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->headers["x-request-id"], "gui-42");
}

// HTTP/1.1 requires Host (point 1's guard); the refusal comes from the headers, before any body.
TEST(SecurityRequestId, Http11WithoutHostIsRefusedBeforeItsBody) {
  temp_dir root;
  api_server api{root.path()};
  raw_client c{api.port()};
  c.send("POST /api/modder/hooks/test HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{");
  auto r = c.reply(10s);
  ASSERT_TRUE(r) << "answered without waiting for the body";
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(code_of(*r), "missing_host");
}

}  // namespace
}  // namespace rio::test::security
