#pragma once
// One answer to "is this address this machine?" for the listener, the Host check and the peer
// check: all of 127.0.0.0/8 (Linux answers on every one), ::1, and v4-mapped forms of both.

#include <boost/asio/ip/address.hpp>

namespace rio::http::detail {

inline bool is_loopback(const boost::asio::ip::address& a) {
  namespace ip = boost::asio::ip;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return is_loopback(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
  return a.is_loopback() || (a.is_v4() && (a.to_v4().to_uint() >> 24) == 127);
}

}  // namespace rio::http::detail
