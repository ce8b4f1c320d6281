#include "connection_table.hpp"

namespace rio::http::detail {

connection_slot::~connection_slot() {
  if (table_ != nullptr) table_->release(*this);
}

void connection_slot::attach(boost::asio::ip::tcp::socket& socket) { socket_ = &socket; }

void connection_slot::set_idle(bool idle) {
  idle_ = idle;
  if (idle) idle_since_ = std::chrono::steady_clock::now();
}

void connection_slot::evict() {
  evicted_ = true;
  // Closing (not just cancelling) gives the descriptor back now; the connection's pending read
  // then ends with operation_aborted and its coroutine finishes.
  if (socket_ != nullptr) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
}

connection_table::~connection_table() {
  // Connections outliving the table (their coroutines end later) must not call back into it.
  for (auto* s : slots_) s->table_ = nullptr;
}

std::unique_ptr<connection_slot> connection_table::admit(const boost::asio::ip::address& from) {
  const auto mine = per_address_.find(from);
  if (mine != per_address_.end() && mine->second >= caps_.per_address && !evict_idle_from(&from)) return nullptr;
  if (slots_.size() >= caps_.total && !evict_idle_from(nullptr)) return nullptr;
  std::unique_ptr<connection_slot> slot{new connection_slot{*this, from}};
  slot->position_ = slots_.insert(slots_.end(), slot.get());
  ++per_address_[from];
  return slot;
}

bool connection_table::evict_idle() { return evict_idle_from(nullptr); }

bool connection_table::evict_idle_from(const boost::asio::ip::address* from) {
  connection_slot* oldest = nullptr;
  for (auto* s : slots_) {
    if (!s->idle_ || s->socket_ == nullptr || (from != nullptr && s->from_ != *from)) continue;
    // Bytes already waiting: the request has begun, only this server has not read it yet.
    boost::system::error_code ec;
    if (s->socket_->available(ec) > 0 || ec) continue;
    if (oldest == nullptr || s->idle_since_ < oldest->idle_since_) oldest = s;
  }
  if (oldest == nullptr) return false;
  release(*oldest);
  oldest->table_ = nullptr;
  oldest->evict();
  return true;
}

void connection_table::release(connection_slot& slot) {
  slots_.erase(slot.position_);
  if (auto it = per_address_.find(slot.from_); it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

}  // namespace rio::http::detail
